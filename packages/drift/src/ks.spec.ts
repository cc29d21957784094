import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeNumber, normal, relativeError, runScipy } from '../test/scipy-oracle';
import type { OracleCase } from '../test/scipy-oracle';
import { ks2samp } from './ks';
import type { KsAlternative, KsMethod } from './ks';
import { kstwoSf, smirnov } from './special/kolmogorov';
import { isCairnError } from '@cairn/errors';
import { oraclePath, seededRandom } from '../../../tools/test-support/src';

const TOL = 1e-9;

interface SampleCase {
  test: string;
  alternative: KsAlternative;
  x1?: number[];
  x2?: number[];
  x1_expr?: string;
  x2_expr?: string;
  check_scipy_1_10_1: { statistic: number; pvalue: number };
  expected_statistic: number;
  expected_pvalue: number;
}

/** Evaluates the two expression forms the sample uses: linspace(a,b,n) [+ c - d]. */
function evaluate(expr: string): number[] {
  const m = /^linspace\(([^,]+),([^,]+),([^)]+)\)((?:\s*[+-]\s*[\d.]+)*)$/.exec(expr.trim());
  if (!m) throw new Error(`unsupported expression ${expr}`);
  const [start, stop, num] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const step = (stop - start) / (num - 1);
  let values = Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
  for (const term of (m[4] ?? '').match(/[+-]\s*[\d.]+/g) ?? []) {
    const c = Number(term.replace(/\s+/g, ''));
    values = values.map((v) => v + c);
  }
  return values;
}

describe('ks2samp against scipy-drift-sample.json', () => {
  const sample = JSON.parse(fs.readFileSync(oraclePath('scipy', 'scipy-drift-sample.json'), 'utf8')) as {
    ks_2samp: SampleCase[];
  };
  it('has cases', () => expect(sample.ks_2samp.length).toBeGreaterThan(0));
  for (const c of sample.ks_2samp) {
    it(`${c.test} (${c.alternative})`, () => {
      const x1 = c.x1 ?? evaluate(c.x1_expr as string);
      const x2 = c.x2 ?? evaluate(c.x2_expr as string);
      const r = ks2samp(x1, x2, { alternative: c.alternative });
      expect(relativeError(r.statistic, c.check_scipy_1_10_1.statistic)).toBeLessThanOrEqual(TOL);
      expect(relativeError(r.pValue, c.check_scipy_1_10_1.pvalue)).toBeLessThanOrEqual(TOL);
      // scipy's own expected values (from its test-suite) agree as well.
      expect(relativeError(r.statistic, c.expected_statistic)).toBeLessThanOrEqual(TOL);
      expect(relativeError(r.pValue, c.expected_pvalue)).toBeLessThanOrEqual(TOL);
    });
  }
});

interface KsCase {
  x1: number[];
  x2: number[];
  alternative: KsAlternative;
  method: KsMethod;
  label: string;
}

function makeCases(): KsCase[] {
  const cases: KsCase[] = [];
  const sizes: Array<[number, number]> = [
    [1, 1],
    [1, 5],
    [3, 3],
    [5, 7],
    [8, 12],
    [20, 20],
    [25, 40],
    [50, 60],
    [100, 100],
    [137, 90],
    [300, 200],
    [500, 500],
    [1000, 1200],
    [2000, 1500],
    [4000, 5000],
    [10000, 9000],
    [10000, 10000],
    [10001, 800],
    [12000, 8000],
    [30000, 20000],
  ];
  let seed = 1;
  for (const [n1, n2] of sizes) {
    for (const shape of ['same', 'shift', 'ties', 'scale'] as const) {
      const random = seededRandom(seed++);
      const shift = shape === 'shift' ? 0.15 + random() * 0.3 : 0;
      const scale = shape === 'scale' ? 1.3 : 1;
      const draw = (mean: number, sd: number): number => {
        const v = normal(random, mean, sd);
        return shape === 'ties' ? Math.round(v * 2) / 2 : v;
      };
      const x1 = Array.from({ length: n1 }, () => draw(0, 1));
      const x2 = Array.from({ length: n2 }, () => draw(shift, scale));
      cases.push({ x1, x2, alternative: 'two-sided', method: 'auto', label: `${n1}x${n2} ${shape}` });
      if (n1 === 1000 && n2 === 1200 && shape === 'shift') {
        // One-sided exact counting overflows here: scipy (and we) fall back to the asymptotic formula.
        cases.push({
          x1,
          x2,
          alternative: 'less',
          method: 'auto',
          label: `${n1}x${n2} ${shape} less (exact overflows)`,
        });
        cases.push({
          x1,
          x2,
          alternative: 'greater',
          method: 'auto',
          label: `${n1}x${n2} ${shape} greater (exact overflows)`,
        });
      }
      if (Math.max(n1, n2) <= 300) {
        cases.push({ x1, x2, alternative: 'less', method: 'auto', label: `${n1}x${n2} ${shape} less` });
        cases.push({ x1, x2, alternative: 'greater', method: 'auto', label: `${n1}x${n2} ${shape} greater` });
        cases.push({
          x1,
          x2,
          alternative: 'two-sided',
          method: 'asymp',
          label: `${n1}x${n2} ${shape} asymp`,
        });
      }
    }
  }
  return cases;
}

describe('ks2samp against real scipy (randomized)', () => {
  const cases = makeCases();
  const answers = runScipy(cases.map((c): OracleCase => ({ kind: 'ks', ...c }))) as Array<{
    statistic: unknown;
    pvalue: unknown;
  }>;
  it.each(cases.map((c, i) => [c.label, i] as const))('%s', (_label, i) => {
    const c = cases[i] as KsCase;
    const expected = answers[i] as { statistic: unknown; pvalue: unknown };
    const r = ks2samp(c.x1, c.x2, { alternative: c.alternative, method: c.method });
    expect(relativeError(r.statistic, decodeNumber(expected.statistic))).toBeLessThanOrEqual(TOL);
    expect(relativeError(r.pValue, decodeNumber(expected.pvalue))).toBeLessThanOrEqual(TOL);
    if (c.label.includes('exact overflows')) expect(r.method).toBe('asymp');
  });
});

describe('one-sample KS distributions against scipy', () => {
  const random = seededRandom(99);
  const cases: OracleCase[] = [];
  for (const n of [2, 5, 10, 37, 100, 140, 141, 500, 2000, 20000]) {
    for (let k = 0; k < 6; k++) {
      const x = Math.min(0.999, (random() * 3) / Math.sqrt(n) + (k === 5 ? 0.5 : 0));
      cases.push({ kind: 'smirnov', n, x });
      cases.push({ kind: 'kstwo_sf', n, x });
    }
  }
  // One large n: the double-double summation scipy uses for two 1,000,000-row samples.
  cases.push({ kind: 'smirnov', n: 300000, x: 0.003 });
  // Durbin matrix branch at large n (n <= 100000 and n * x^1.5 <= 1.4).
  for (const [n, x] of [
    [2000, 0.005],
    [20000, 0.0015],
    [50000, 0.0007],
  ] as const) {
    cases.push({ kind: 'kstwo_sf', n, x });
  }
  const answers = runScipy(cases);
  it.each(cases.map((c, i) => [`${c.kind}(n=${String(c.n)}, x=${String(c.x)})`, i] as const))(
    '%s',
    (_label, i) => {
      const c = cases[i] as OracleCase & { n: number; x: number };
      const actual = c.kind === 'smirnov' ? smirnov(c.n, c.x) : kstwoSf(c.n, c.x);
      expect(relativeError(actual, decodeNumber(answers[i]))).toBeLessThanOrEqual(TOL);
    },
  );
});

describe('ks2samp input checks', () => {
  it('rejects an empty sample with DRIFT_EMPTY_SAMPLE', () => {
    try {
      ks2samp([], [1, 2]);
      expect.unreachable();
    } catch (error) {
      expect(isCairnError(error, 'DRIFT_EMPTY_SAMPLE')).toBe(true);
    }
  });
  it('rejects NaN with DRIFT_INVALID_VALUE', () => {
    expect(() => ks2samp([1, NaN], [1, 2])).toThrow(
      expect.objectContaining({ code: 'DRIFT_INVALID_VALUE' }) as Error,
    );
  });
});
