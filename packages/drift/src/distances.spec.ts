import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { categoricalPair, decodeNumber, expectClose, normal, runScipy } from '../test/scipy-oracle';
import type { OracleCase } from '../test/scipy-oracle';
import { wasserstein, wassersteinNormalized } from './wasserstein';
import {
  chiSquare,
  chisquareFrequencies,
  jensenShannon,
  jensenShannonDistance,
  psi,
  zTestProportions,
} from './distances';
import { binom, gammaincc } from './special/cephes';
import type { Value } from './binning';
import { oraclePath, seededRandom } from '../../../tools/test-support/src';

describe('wasserstein against scipy-drift-sample.json', () => {
  const sample = JSON.parse(fs.readFileSync(oraclePath('scipy', 'scipy-drift-sample.json'), 'utf8')) as {
    wasserstein_distance: Array<{
      test: string;
      u_values: Array<number | string>;
      v_values: Array<number | string>;
      u_weights?: number[] | null;
      v_weights?: number[] | null;
      expected: number | string;
      check_scipy_1_10_1?: number | string;
    }>;
  };
  for (const [i, c] of sample.wasserstein_distance.entries()) {
    it(`${c.test} #${i}`, () => {
      const u = c.u_values.map(decodeNumber);
      const v = c.v_values.map(decodeNumber);
      const actual = wasserstein(u, v, c.u_weights ?? null, c.v_weights ?? null);
      expectClose(actual, c.expected);
      if (c.check_scipy_1_10_1 !== undefined) expectClose(actual, c.check_scipy_1_10_1);
    });
  }
});

type Builder = {
  label: string;
  oracle: OracleCase;
  actual: () => number | { statistic: number; pValue: number };
};

function numericPair(
  seed: number,
  n1: number,
  n2: number,
  shift: number,
  ties: boolean,
): [number[], number[]] {
  const random = seededRandom(seed);
  const draw = (mean: number): number => {
    const v = normal(random, mean, 1);
    return ties ? Math.round(v * 4) / 4 : v;
  };
  return [Array.from({ length: n1 }, () => draw(0)), Array.from({ length: n2 }, () => draw(shift))];
}

function builders(): Builder[] {
  const out: Builder[] = [];
  let seed = 1000;
  for (const [n1, n2] of [
    [5, 3],
    [30, 50],
    [200, 200],
    [1000, 1500],
    [5000, 4000],
    [20000, 30000],
  ] as Array<[number, number]>) {
    for (const shift of [0, 0.3]) {
      for (const ties of [false, true]) {
        const [a, b] = numericPair(seed++, n1, n2, shift, ties);
        const tag = `${n1}x${n2} shift=${shift}${ties ? ' ties' : ''}`;
        out.push({
          label: `wasserstein ${tag}`,
          oracle: { kind: 'wasserstein', u: a, v: b },
          actual: () => wasserstein(a, b),
        });
        out.push({
          label: `wasserstein_norm ${tag}`,
          oracle: { kind: 'wasserstein_norm', ref: a, cur: b },
          actual: () => wassersteinNormalized(a, b),
        });
        out.push({
          label: `psi ${tag}`,
          oracle: { kind: 'psi', ref: a, cur: b, numerical: true },
          actual: () => psi(a, b),
        });
        out.push({
          label: `jensenshannon(evidently) ${tag}`,
          oracle: { kind: 'jensenshannon_evidently', ref: a, cur: b, numerical: true },
          actual: () => jensenShannon(a, b),
        });
        if (n1 <= 200) {
          const w1 = a.map((_, i) => 1 + (i % 3));
          const w2 = b.map((_, i) => 0.5 + (i % 5));
          out.push({
            label: `wasserstein weighted ${tag}`,
            oracle: { kind: 'wasserstein', u: a, v: b, uw: w1, vw: w2 },
            actual: () => wasserstein(a, b, w1, w2),
          });
        }
      }
    }
  }
  for (const [n1, n2, k] of [
    [20, 30, 3],
    [300, 200, 5],
    [1000, 1000, 12],
    [4000, 2500, 45],
    [3000, 3000, 2],
    [800, 600, 60],
  ] as Array<[number, number, number]>) {
    for (const skew of [0, 0.5]) {
      const [a, b] = categoricalPair(seededRandom(seed++), n1, n2, k, skew);
      const tag = `${n1}x${n2} k=${k} skew=${skew}`;
      out.push({
        label: `chisquare(evidently) ${tag}`,
        oracle: { kind: 'chisquare_evidently', ref: a, cur: b },
        actual: () => chiSquare(a, b),
      });
      out.push({
        label: `psi categorical ${tag}`,
        oracle: { kind: 'psi', ref: a, cur: b, numerical: false },
        actual: () => psi(a, b),
      });
      out.push({
        label: `jensenshannon(evidently) categorical ${tag}`,
        oracle: { kind: 'jensenshannon_evidently', ref: a, cur: b, numerical: false },
        actual: () => jensenShannon(a, b),
      });
      out.push({
        label: `ztest ${tag}`,
        oracle: { kind: 'ztest', ref: a, cur: b },
        actual: () => zTestProportions(a, b),
      });
    }
  }
  // Small-unique numerical columns are compared category by category.
  const [few1, few2] = numericPair(seed++, 400, 300, 0.5, true);
  const f1 = few1.map((x) => Math.round(x));
  const f2 = few2.map((x) => Math.round(x));
  out.push({
    label: 'psi numerical, <= 20 distinct',
    oracle: { kind: 'psi', ref: f1, cur: f2, numerical: true },
    actual: () => psi(f1, f2),
  });
  for (let i = 0; i < 12; i++) {
    const random = seededRandom(seed++);
    const k = 2 + Math.floor(random() * 30);
    const obs = Array.from({ length: k }, () => Math.floor(random() * 200));
    const total = obs.reduce((s, x) => s + x, 0);
    const raw = Array.from({ length: k }, () => 1 + random() * 10);
    const rawSum = raw.reduce((s, x) => s + x, 0);
    const exp = raw.map((x) => (x / rawSum) * total);
    out.push({
      label: `chisquare k=${k} #${i}`,
      oracle: { kind: 'chisquare', obs, exp },
      actual: () => chisquareFrequencies(obs, exp),
    });
    const p = Array.from({ length: k }, () => (random() < 0.2 ? 0 : random()));
    const q = Array.from({ length: k }, () => (random() < 0.2 ? 0 : random()));
    p[0] = 1;
    q[1] = 1;
    out.push({
      label: `jensenshannon k=${k} #${i}`,
      oracle: { kind: 'jensenshannon', p, q },
      actual: () => jensenShannonDistance(p, q),
    });
    out.push({
      label: `jensenshannon base 2 k=${k} #${i}`,
      oracle: { kind: 'jensenshannon', p, q, base: 2 },
      actual: () => jensenShannonDistance(p, q, 2),
    });
  }
  const random = seededRandom(seed++);
  for (let i = 0; i < 60; i++) {
    const a = [0.05, 0.5, 1, 2.5, 7, 19, 24, 60, 150, 260][i % 10] as number;
    const x = a * (0.2 + random() * 2.5) + (i % 7 === 0 ? random() : 0);
    out.push({
      label: `gammaincc(${a}, ${x})`,
      oracle: { kind: 'gammaincc', a, x },
      actual: () => gammaincc(a, x),
    });
  }
  for (const [n, k] of [
    [10, 3],
    [60, 25],
    [200, 100],
    [1500, 700],
    [20000, 9000],
    [5.5, 2],
  ]) {
    out.push({
      label: `binom(${n}, ${k})`,
      oracle: { kind: 'binom', n: n as number, k: k as number },
      actual: () => binom(n as number, k as number),
    });
  }
  return out;
}

describe('statistics against real scipy / numpy (randomized)', () => {
  const cases = builders();
  const answers = runScipy(cases.map((c) => c.oracle));
  it.each(cases.map((c, i) => [c.label, i] as const))('%s', (_label, i) => {
    const actual = (cases[i] as Builder).actual();
    const expected = answers[i] as unknown;
    if (typeof actual === 'number') {
      expectClose(actual, expected);
    } else {
      const e = expected as { statistic: unknown; pvalue: unknown };
      expectClose(actual.statistic, e.statistic);
      expectClose(actual.pValue, e.pvalue);
    }
  });
});

describe('Evidently details', () => {
  it('z-test gives p = 1 when both samples hold the same single value', () => {
    expect(zTestProportions(['a', 'a'], ['a'])).toEqual({ statistic: 0, pValue: 1 });
  });
  it('chi-square is infinite (p = 0) when the current sample has a category the reference lacks', () => {
    const r = chiSquare(['a', 'a', 'b'], ['a', 'c']);
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
  });
  it('PSI fills empty bins with 0.0001 so it stays finite', () => {
    const ref: Value[] = ['a', 'b'];
    const value = psi(ref, ['a', 'a']);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeCloseTo((0.5 - 1) * Math.log(0.5) + (0.5 - 0.0001) * Math.log(0.5 / 0.0001), 12);
  });
  it('wasserstein_norm divides by max(std, 0.001)', () => {
    expect(wassersteinNormalized([1, 1, 1], [2, 2])).toBeCloseTo(1 / 0.001, 6);
  });
  it('chisquare rejects frequencies whose sums disagree (as scipy)', () => {
    expect(() => chisquareFrequencies([1, 2], [1, 1])).toThrow(
      expect.objectContaining({ code: 'DRIFT_FREQUENCY_MISMATCH' }) as Error,
    );
  });
});
