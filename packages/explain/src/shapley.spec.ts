import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../tools/test-support/src';
import { exactShapley, kernelShap, linearShap, type ShapleyExplanation } from './shapley';

const TOL = 1e-9;

function expectClose(actual: readonly number[], expected: readonly number[], scale: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Math.abs(a - expected[i]!) > TOL * Math.max(1, scale)) {
      throw new Error(`feature ${i}: expected ${expected[i]}, got ${a}`);
    }
  });
}

function expectAdditive(e: ShapleyExplanation): void {
  const sum = e.values.reduce((a, b) => a + b, 0);
  const target = e.prediction - e.expectedValue;
  expect(Math.abs(sum - target)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(target)));
}

function matrix(random: () => number, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => random() * 4 - 2));
}

describe('linear closed form, brute force and KernelSHAP agree', () => {
  const random = seededRandom(1601);
  const m = 7;
  const coef = Array.from({ length: m }, () => random() * 6 - 3);
  const intercept = 0.75;
  const f = (rows: number[][]) => rows.map((r) => r.reduce((s, x, i) => s + coef[i]! * x, intercept));
  const background = matrix(random, 25, m);
  const rows = matrix(random, 8, m);
  it.each(rows.map((x, i) => [i, x] as const))('row %i', async (_i, x) => {
    const closed = linearShap(coef, intercept, x, background);
    const brute = await exactShapley(f, x, background);
    const kernel = await kernelShap(f, x, background);
    const scale = Math.abs(brute.prediction - brute.expectedValue);
    expectClose(closed.values, brute.values, scale);
    expectClose(kernel.values, brute.values, scale);
    expect(Math.abs(closed.expectedValue - brute.expectedValue)).toBeLessThan(1e-9);
    for (const e of [closed, brute, kernel]) expectAdditive(e);
  });
});

describe('KernelSHAP on a non-linear model', () => {
  const random = seededRandom(1602);
  const f = (rows: number[][]) =>
    rows.map(
      (r) =>
        Math.tanh(r[0]! * r[1]!) + r[2]! ** 2 - (r[3]! > 0.2 ? r[4]! : -r[5]!) + 0.1 * r[6]! * r[7]! * r[8]!,
    );
  const m = 9;
  const background = matrix(random, 12, m);
  const rows = matrix(random, 5, m);
  it.each(rows.map((x, i) => [i, x] as const))(
    'with every coalition it is the exact Shapley value (row %i)',
    async (_i, x) => {
      const brute = await exactShapley(f, x, background);
      const kernel = await kernelShap(f, x, background, { nSamples: 1 << m });
      expectClose(kernel.values, brute.values, Math.abs(brute.prediction - brute.expectedValue));
      expectAdditive(kernel);
      expectAdditive(brute);
    },
  );
  it('sampled coalitions stay additive on every row and near the exact values', async () => {
    for (const x of rows) {
      const brute = await exactShapley(f, x, background);
      const sampled = await kernelShap(f, x, background, { nSamples: 200, seed: 7 });
      expectAdditive(sampled);
      const error = Math.max(...sampled.values.map((v, i) => Math.abs(v - brute.values[i]!)));
      const size = Math.max(...brute.values.map(Math.abs));
      expect(error).toBeLessThan(0.5 * size);
    }
  });
  it('refuses too many features for brute force and bad rows', async () => {
    await expect(exactShapley(f, new Array(17).fill(0), [new Array(17).fill(0)])).rejects.toMatchObject({
      code: 'EXPLAIN_TOO_MANY_FEATURES',
    });
    await expect(exactShapley(f, [0, NaN], [[0, 0]])).rejects.toMatchObject({
      code: 'EXPLAIN_INVALID_INPUT',
    });
    await expect(exactShapley(f, [0, 0], [[0]])).rejects.toMatchObject({
      code: 'EXPLAIN_INVALID_INPUT',
      data: { row: 0 },
    });
  });
});
