import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../tools/test-support/src/index';
import {
  checkSpace,
  gridSampler,
  medianPruner,
  randomSampler,
  successiveHalvingPruner,
  tpeGamma,
  tpeSampler,
  tpeWeights,
  type SearchSpace,
  type TrialState,
} from '../index';

// Every sampler draws from its own seeded generator; the test picks the seeds from this one (printed).
const SEED = Number(process.env.CAIRN_TEST_SEED ?? 1212);
const pick = seededRandom(SEED);
const seedOf = () => Math.floor(pick() * 2 ** 31);

function run(
  sampler: { suggest(h: readonly TrialState[]): Record<string, unknown> },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each objective reads its own param names
  f: (p: any) => number,
  n: number,
) {
  const history: TrialState[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.suggest(history) as TrialState['params'];
    history.push({ params, state: 'complete', value: f(params) });
  }
  return history;
}

describe("TPE's constants follow Optuna's defaults", () => {
  it('gamma(n) = min(ceil(0.1 n), 25)', () => {
    expect([0, 1, 10, 11, 99, 250, 251, 1000].map(tpeGamma)).toEqual([0, 1, 1, 2, 10, 25, 25, 25]);
  });
  it('weights: flat below 25 observations, then a linear ramp from 1/n for the oldest', () => {
    expect(tpeWeights(3)).toEqual([1, 1, 1]);
    const w = tpeWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12); // numpy.linspace(1/30, 1, 5)[-1]
    expect(w[2]).toBeCloseTo(1 / 30 + (1 - 1 / 30) / 2, 12);
    expect(w.slice(5)).toEqual(Array.from({ length: 25 }, () => 1));
    expect(tpeWeights(26)).toEqual([1 / 26, ...Array.from({ length: 25 }, () => 1)]);
  });
});

describe('random and grid sampling', () => {
  const space: SearchSpace = {
    lr: { type: 'float', low: 1e-4, high: 1, log: true },
    depth: { type: 'int', low: 1, high: 6 },
    kind: { type: 'categorical', choices: ['a', 'b', 'c'] },
  };

  it('stays in bounds, draws ints as ints, log-scaled values log-uniformly, and repeats under a seed', () => {
    const seed = seedOf();
    const draws = Array.from(
      { length: 4000 },
      (() => {
        const sampler = randomSampler(space, seed);
        return () => sampler.suggest([]);
      })(),
    );
    for (const d of draws) {
      expect(d.lr).toBeGreaterThanOrEqual(1e-4);
      expect(d.lr).toBeLessThanOrEqual(1);
      expect(Number.isInteger(d.depth)).toBe(true);
    }
    // log-uniform: a quarter of the draws in each decade-pair; binomial sd at n=4000, p=0.5 is ~32
    const belowGeometricMean = draws.filter((d) => (d.lr as number) < 1e-2).length;
    expect(Math.abs(belowGeometricMean - 2000)).toBeLessThan(5 * 32);
    // every int value, end values included, about equally often (expected 667, sd ~24)
    for (let depth = 1; depth <= 6; depth++) {
      expect(Math.abs(draws.filter((d) => d.depth === depth).length - 4000 / 6)).toBeLessThan(5 * 24);
    }
    const again = randomSampler(space, seed);
    expect(Array.from({ length: 20 }, () => again.suggest([]))).toEqual(draws.slice(0, 20));
  });

  it('grid visits every point once before repeating; a continuous float has no grid', () => {
    const grid = gridSampler(
      { depth: { type: 'int', low: 1, high: 3 }, kind: { type: 'categorical', choices: ['a', 'b'] } },
      seedOf(),
      'x',
    );
    expect(grid.size).toBe(6);
    const history = run(grid, () => 0, 6);
    expect(new Set(history.map((t) => JSON.stringify(t.params))).size).toBe(6);
    expect(() => gridSampler({ lr: { type: 'float', low: 0, high: 1 } }, 1, 'exp/experiment.json')).toThrow(
      expect.objectContaining({
        code: 'TUNE_SPACE_INVALID',
        data: { file: 'exp/experiment.json', field: '/tune/space/lr/step' },
      }),
    );
  });

  it('space checks name the field', () => {
    expect(() => checkSpace({ lr: { type: 'float', low: 0, high: 1, log: true } }, 'e.json')).toThrow(
      expect.objectContaining({
        code: 'TUNE_SPACE_INVALID',
        data: { file: 'e.json', field: '/tune/space/lr' },
      }),
    );
    expect(() => checkSpace({ n: { type: 'int', low: 5, high: 5 } }, 'e.json')).toThrow(
      expect.objectContaining({ code: 'TUNE_SPACE_INVALID' }),
    );
  });
});

describe('TPE', () => {
  const quadratic = (p: { x: number; y: number }) => (p.x - 0.7) ** 2 + (p.y + 2) ** 2;
  const space: SearchSpace = {
    x: { type: 'float', low: -5, high: 5 },
    y: { type: 'float', low: -5, high: 5 },
  };

  it('starts with exactly the random sampler’s draws, and is deterministic under a seed', () => {
    const seed = seedOf();
    const tpe = run(tpeSampler(space, seed, 'minimize'), quadratic, 40);
    const random = run(randomSampler(space, seed), quadratic, 10);
    expect(tpe.slice(0, 10).map((t) => t.params)).toEqual(random.map((t) => t.params));
    expect(run(tpeSampler(space, seed, 'minimize'), quadratic, 40)).toEqual(tpe);
  });

  it('concentrates near the optimum after its startup trials, unlike random search, for either direction', () => {
    for (let round = 0; round < 3; round++) {
      const seed = seedOf();
      const distance = (t: TrialState) =>
        Math.hypot((t.params.x as number) - 0.7, (t.params.y as number) + 2);
      const late = (h: TrialState[]) =>
        h
          .slice(40)
          .map(distance)
          .sort((a, b) => a - b)[30]!; // median of 60
      const tpe = run(tpeSampler(space, seed, 'minimize'), quadratic, 100);
      const random = run(randomSampler(space, seed), quadratic, 100);
      expect(late(tpe), `seed ${seed}`).toBeLessThan(late(random) / 2);
      const flipped = run(tpeSampler(space, seed, 'maximize'), (p) => -quadratic(p), 100);
      expect(late(flipped), `seed ${seed}`).toBeLessThan(late(random) / 2);
    }
  });

  it('learns the best choice of a categorical and of a log-scaled int', () => {
    const seed = seedOf();
    const history = run(
      tpeSampler(
        {
          kind: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
          n: { type: 'int', low: 1, high: 1000, log: true },
        },
        seed,
        'minimize',
      ),
      (p) => (p.kind === 'c' ? 0 : 1) + Math.abs(Math.log10(p.n) - 2),
      80,
    );
    const late = history.slice(30);
    expect(late.filter((t) => t.params.kind === 'c').length, `seed ${seed}`).toBeGreaterThan(
      late.length * 0.6,
    );
    for (const t of history) expect(Number.isInteger(t.params.n)).toBe(true);
  });

  it('with the constant liar, running trials steer new suggestions away from where they run', () => {
    const seed = seedOf();
    const finished = run(tpeSampler(space, seed, 'minimize'), quadratic, 30);
    const best = [...finished].sort((a, b) => a.value! - b.value!)[0]!;
    const running: TrialState[] = Array.from({ length: 8 }, () => ({
      params: best.params,
      state: 'running',
    }));
    const distanceToBest = (liar: boolean) => {
      let total = 0;
      for (let k = 0; k < 20; k++) {
        const sampler = tpeSampler(space, seed + k, 'minimize', { constantLiar: liar });
        const p = sampler.suggest([...finished, ...running]);
        total += Math.hypot(
          (p.x as number) - (best.params.x as number),
          (p.y as number) - (best.params.y as number),
        );
      }
      return total;
    };
    expect(distanceToBest(true), `seed ${seed}`).toBeGreaterThan(distanceToBest(false));
  });
});

describe('pruners', () => {
  const curves = [1, 2, 3, 4, 5].map(
    (base) =>
      new Map([
        [1, base],
        [2, base / 2],
      ]),
  );
  it('median: prunes a value worse than the median at its step, after the startup trials', () => {
    const pruner = medianPruner('minimize');
    expect(pruner.shouldPrune(1, 3.5, curves)).toBe(true);
    expect(pruner.shouldPrune(1, 2.5, curves)).toBe(false);
    expect(pruner.shouldPrune(2, 1.6, curves)).toBe(true);
    expect(pruner.shouldPrune(7, 100, curves)).toBe(false);
    expect(medianPruner('minimize').shouldPrune(1, 100, curves.slice(0, 4))).toBe(false);
    expect(medianPruner('maximize').shouldPrune(1, 2.5, curves)).toBe(true);
  });
  it('successive halving: at rungs 1, 4, 16… keeps the best quarter', () => {
    const pruner = successiveHalvingPruner('minimize');
    const rungCurves = [1, 2, 3, 4, 5, 6, 7].map(
      (v) =>
        new Map([
          [1, v],
          [4, v],
        ]),
    );
    expect(pruner.shouldPrune(1, 0.5, rungCurves)).toBe(false);
    expect(pruner.shouldPrune(1, 2.5, rungCurves)).toBe(true);
    expect(pruner.shouldPrune(2, 100, rungCurves)).toBe(false);
    expect(pruner.shouldPrune(4, 1.5, rungCurves)).toBe(false);
    expect(pruner.shouldPrune(4, 2.5, rungCurves)).toBe(true);
  });
});
