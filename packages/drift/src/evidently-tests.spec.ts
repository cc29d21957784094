import { describe, expect, it } from 'vitest';
import { categoricalPair, expectClose, normal, runScipy } from '../test/scipy-oracle';
import type { OracleCase } from '../test/scipy-oracle';
import { seededRandom } from '../../../tools/test-support/src';
import {
  andersonDarling,
  cramerVonMises,
  empiricalMmd,
  MMD_MAX_VALUES,
  eppsSingleton,
  fisherExact2x2,
  fisherExactTest,
  gTest,
  hellingerDistance,
  klDivergence,
  mannWhitneyLess,
  tTestIndependent,
  tvdTest,
} from './evidently-tests';
import { detectDrift, TESTS, thresholdRule } from './detect';
import { renderDriftHtml } from './html';
import { energyDistance } from './wasserstein';

/**
 * The asymptotic Cramér–von Mises p-value is 1 − CDF: both scipy's and ours
 * carry the CDF's ~1e-15 absolute rounding, so tiny p-values are compared with
 * that absolute tolerance instead of a relative one.
 */
const ONE_MINUS_CDF_TOL = 1e-14;

type Result = number | { statistic: number; pValue: number };
type Case = {
  label: string;
  oracle: OracleCase;
  actual: () => Result;
  statistic?: boolean;
  absolute?: number;
};

function numericPair(
  seed: number,
  n1: number,
  n2: number,
  shift: number,
  ties: boolean,
): [number[], number[]] {
  const random = seededRandom(seed);
  const draw = (mean: number, sd: number): number => {
    const v = normal(random, mean, sd);
    return ties ? Math.round(v * 4) / 4 : v;
  };
  return [
    Array.from({ length: n1 }, () => draw(0, 1)),
    Array.from({ length: n2 }, () => draw(shift, 1 + shift)),
  ];
}

function cases(): Case[] {
  const out: Case[] = [];
  let seed = 16000;
  for (const [n1, n2] of [
    [6, 7],
    [8, 30],
    [15, 20],
    [40, 60],
    [300, 250],
    [2000, 1500],
  ] as Array<[number, number]>) {
    for (const shift of [0, 0.25]) {
      for (const ties of [false, true]) {
        const [a, b] = numericPair(seed++, n1, n2, shift, ties);
        const tag = `${n1}x${n2} shift=${shift}${ties ? ' ties' : ''}`;
        out.push({
          label: `mannw ${tag}`,
          oracle: { kind: 'mannw', ref: a, cur: b },
          actual: () => mannWhitneyLess(a, b),
        });
        out.push({
          label: `t_test ${tag}`,
          oracle: { kind: 't_test', ref: a, cur: b },
          actual: () => tTestIndependent(a, b),
        });
        out.push({
          label: `anderson ${tag}`,
          oracle: { kind: 'anderson', ref: a, cur: b },
          actual: () => andersonDarling(a, b),
        });
        out.push({
          label: `cramer_von_mises ${tag}`,
          oracle: { kind: 'cramer_von_mises', ref: a, cur: b },
          actual: () => cramerVonMises(a, b),
          absolute: ONE_MINUS_CDF_TOL,
        });
        out.push({
          label: `ed ${tag}`,
          oracle: { kind: 'ed', ref: a, cur: b },
          actual: () => energyDistance(a, b),
        });
        out.push({
          label: `es ${tag}`,
          oracle: { kind: 'es', ref: a, cur: b },
          actual: () => eppsSingleton(a, b),
        });
        out.push({
          label: `hellinger numerical ${tag}`,
          oracle: { kind: 'hellinger', ref: a, cur: b, numerical: true },
          actual: () => hellingerDistance(a, b, true),
        });
        out.push({
          label: `kl_div numerical ${tag}`,
          oracle: { kind: 'kl_div', ref: a, cur: b, numerical: true },
          actual: () => klDivergence(a, b, true),
        });
        if (n1 + n2 <= 600) {
          out.push({
            label: `empirical_mmd ${tag}`,
            oracle: { kind: 'empirical_mmd', ref: a, cur: b },
            actual: () => empiricalMmd(a, b),
          });
        }
      }
    }
  }
  for (const [n1, n2, k] of [
    [30, 40, 3],
    [200, 150, 6],
    [120, 120, 2],
    [60, 60, 2],
  ] as Array<[number, number, number]>) {
    for (const skew of [0, 0.6]) {
      const [a, b] = categoricalPair(seededRandom(seed++), n1, n2, k, skew);
      const tag = `${n1}x${n2} k=${k} skew=${skew}`;
      out.push({
        label: `g_test ${tag}`,
        oracle: { kind: 'g_test', ref: a, cur: b },
        actual: () => gTest(a, b),
      });
      out.push({
        label: `hellinger categorical ${tag}`,
        oracle: { kind: 'hellinger', ref: a, cur: b, numerical: false },
        actual: () => hellingerDistance(a, b, false),
      });
      out.push({
        label: `kl_div categorical ${tag}`,
        oracle: { kind: 'kl_div', ref: a, cur: b, numerical: false },
        actual: () => klDivergence(a, b, false),
      });
      if (n1 <= 120) {
        out.push({
          label: `TVD ${tag}`,
          oracle: { kind: 'TVD', ref: a, cur: b },
          actual: () => tvdTest(a, b),
        });
      }
      if (k === 2 && n1 === n2) {
        out.push({
          label: `fisher_exact ${tag}`,
          oracle: { kind: 'fisher_exact_evidently', ref: a, cur: b },
          actual: () => fisherExactTest(a, b),
          statistic: false,
        });
      }
    }
  }
  {
    // Past the exact table's budget (5 values against 3000, no ties) the p-value is scipy's asymptotic one.
    const [a, b] = numericPair(seed++, 5, 3000, 0.5, false);
    out.push({
      label: 'mannw 5x3000 beyond the exact budget',
      oracle: { kind: 'mannw', ref: a, cur: b, method: 'asymptotic' },
      actual: () => mannWhitneyLess(a, b),
    });
  }
  const random = seededRandom(seed++);
  for (let i = 0; i < 20; i++) {
    const cell = (): number => Math.floor(random() * (i < 10 ? 12 : 400));
    const table = [
      [cell(), cell()],
      [cell(), cell()],
    ] as [[number, number], [number, number]];
    out.push({
      label: `fisher_exact 2x2 ${JSON.stringify(table)}`,
      oracle: { kind: 'fisher_exact', table },
      actual: () => fisherExact2x2(table),
    });
  }
  return out;
}

describe('Evidently drift tests against real scipy 1.10.1 / numpy (randomized)', () => {
  const all = cases();
  const answers = runScipy(all.map((c) => c.oracle));
  it.each(all.map((c, i) => [c.label, i] as const))('%s', (label, i) => {
    const c = all[i] as Case;
    const actual = c.actual();
    const expected = answers[i] as unknown;
    if (typeof actual === 'number') {
      expectClose(actual, expected, label);
    } else {
      const e = expected as { statistic: unknown; pvalue: unknown };
      if (c.statistic !== false) expectClose(actual.statistic, e.statistic, `${label} statistic`);
      expectClose(actual.pValue, e.pvalue, `${label} p-value`, c.absolute);
    }
  });
});

describe('Evidently conventions in detectDrift', () => {
  const numbers = (offset: number): Array<{ x: number; y: string }> =>
    Array.from({ length: 40 }, (_, i) => ({ x: (i % 7) + offset, y: String(i % 2) }));
  it('z is ztest under its Evidently name', () => {
    const z = detectDrift(numbers(0), numbers(0.5), { columns: ['y'], test: 'z' });
    const ztest = detectDrift(numbers(0), numbers(0.5), { columns: ['y'], test: 'ztest' });
    expect(z.columns.y).toEqual({ ...ztest.columns.y, test: 'z' });
  });
  it('--categorical turns a numeric column into categories', () => {
    expect(() => detectDrift(numbers(0), numbers(0), { columns: ['x'], test: 'g_test' })).not.toThrow();
    const forced = detectDrift(numbers(0), numbers(3), { columns: ['x'], categorical: ['x'] });
    expect(forced.columns.x?.test).toBe('chisquare');
    expect(() =>
      detectDrift(numbers(0), numbers(0), { columns: ['x'], categorical: ['x'], test: 'ks' }),
    ).toThrow(expect.objectContaining({ code: 'DRIFT_TEST_NOT_APPLICABLE' }) as Error);
    expect(() => detectDrift(numbers(0), numbers(0), { categorical: ['nope'] })).toThrow(
      expect.objectContaining({ code: 'DRIFT_UNKNOWN_COLUMN' }) as Error,
    );
  });
  it('cramer_von_mises drifts at p == threshold and ed only above it, as Evidently', () => {
    const ref = numbers(0);
    const cur = numbers(1);
    const cvm = detectDrift(ref, cur, { columns: ['x'], test: 'cramer_von_mises' }).columns.x!;
    expect(
      detectDrift(ref, cur, { columns: ['x'], test: 'cramer_von_mises', threshold: cvm.p_value! }).columns.x!
        .drift,
    ).toBe(true);
    const ed = detectDrift(ref, cur, { columns: ['x'], test: 'ed' }).columns.x!;
    expect(
      detectDrift(ref, cur, { columns: ['x'], test: 'ed', threshold: ed.statistic }).columns.x!.drift,
    ).toBe(false);
    expect(TESTS.ks.inclusive).toBeUndefined();
  });
  it('empirical_mmd refuses samples whose kernel matrix would not fit', () => {
    const big = Array.from({ length: MMD_MAX_VALUES }, (_, i) => i);
    expect(() => empiricalMmd(big, [1, 2])).toThrow(
      expect.objectContaining({
        code: 'DRIFT_INVALID_VALUE',
        data: { test: 'empirical_mmd', values: MMD_MAX_VALUES + 2 },
      }) as Error,
    );
  });
  it('fisher_exact refuses samples of different sizes or with more than two categories', () => {
    expect(() => fisherExactTest(['a', 'b'], ['a'])).toThrow(
      expect.objectContaining({ code: 'DRIFT_INVALID_VALUE' }) as Error,
    );
    expect(() => fisherExactTest(['a', 'b', 'c'], ['a', 'a', 'a'])).toThrow(
      expect.objectContaining({ code: 'DRIFT_INVALID_VALUE' }) as Error,
    );
  });
  it('every registered test runs through detectDrift on a numeric column', () => {
    const ref = Array.from({ length: 30 }, (_, i) => ({ x: (i * 7) % 11 }));
    const cur = Array.from({ length: 30 }, (_, i) => ({ x: ((i * 5) % 13) + 1 }));
    for (const test of Object.keys(TESTS) as Array<keyof typeof TESTS>) {
      if (test === 'fisher_exact') continue;
      const report = detectDrift(ref, cur, { test });
      expect(Number.isNaN(report.columns.x!.statistic)).toBe(false);
      const html = renderDriftHtml(report);
      expect(html, test).toContain(`<td>${test}</td>`);
      expect(html, test).toContain(
        `${thresholdRule(TESTS[test]).replace('<', '&lt;').replace('>', '&gt;')} `,
      );
    }
  });
});
