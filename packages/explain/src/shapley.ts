/**
 * Local explanations of one row as Shapley values of the interventional value
 * function v(S) = mean over background rows b of f(x_S, b_rest): exactly by
 * enumerating every feature subset (the oracle, ≤ 16 features), in closed
 * form for linear models, and by KernelSHAP (Lundberg & Lee 2017) for any
 * model. Every result satisfies additivity: the values sum to f(x) − E f.
 */
import { NumpyRandomState } from '@cairn/metrics';
import { cairnError } from '@cairn/errors';
import { explainError } from './errors';

/** A feature value: a number, or a category for models that take strings. */
export type FeatureValue = number | string;

/** A model with one numeric output per row (a regression value, a class probability…). */
export type NumericModel<T extends FeatureValue = number> = (
  rows: T[][],
) => Promise<readonly number[]> | readonly number[];

export interface ShapleyExplanation {
  /** One contribution per feature. */
  values: number[];
  /** E f over the background (the value of the empty coalition). */
  expectedValue: number;
  /** f(x). */
  prediction: number;
}

export const MAX_EXACT_FEATURES = 16;

function isUsable(value: FeatureValue): boolean {
  return typeof value === 'string' || Number.isFinite(value);
}

function checkRow(x: readonly FeatureValue[], background: readonly (readonly FeatureValue[])[]): void {
  if (background.length === 0) {
    throw explainError('EXPLAIN_INVALID_INPUT', 'Shapley values need at least one background row', {
      field: 'background',
    });
  }
  if (!x.every(isUsable)) {
    throw explainError('EXPLAIN_INVALID_INPUT', 'the row to explain has a non-finite value', { field: 'x' });
  }
  background.forEach((row, index) => {
    if (row.length !== x.length || !row.every(isUsable)) {
      throw explainError(
        'EXPLAIN_INVALID_INPUT',
        `background row ${index} must hold ${x.length} finite numbers or strings`,
        { row: index },
      );
    }
  });
}

/** v(mask) for each coalition mask (bit i set = feature i taken from x), in one model call. */
async function coalitionValues<T extends FeatureValue>(
  f: NumericModel<T>,
  x: readonly T[],
  background: readonly (readonly T[])[],
  masks: readonly number[],
): Promise<Float64Array> {
  const rows: T[][] = [];
  for (const mask of masks) {
    for (const b of background) rows.push(x.map((xi, i) => ((mask >>> i) & 1 ? xi : b[i]!)));
  }
  const out = await f(rows);
  if (out.length !== rows.length) {
    throw explainError(
      'EXPLAIN_INVALID_INPUT',
      `the model returned ${out.length} outputs for ${rows.length} rows`,
      { field: 'predictions' },
    );
  }
  const values = new Float64Array(masks.length);
  const n = background.length;
  for (let m = 0; m < masks.length; m++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += out[m * n + j]!;
    values[m] = sum / n;
  }
  return values;
}

/** Shapley weight |S|! (M − |S| − 1)! / M! for every subset size. */
export function shapleyWeights(m: number): Float64Array {
  const weights = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    // 1 / (M · C(M−1, s)), built without factorials.
    let binom = 1;
    for (let k = 1; k <= s; k++) binom = (binom * (m - 1 - s + k)) / k;
    weights[s] = 1 / (m * binom);
  }
  return weights;
}

function popcount(mask: number): number {
  let count = 0;
  for (let v = mask; v; v &= v - 1) count++;
  return count;
}

/** Exact Shapley values from the values of all 2^M coalitions (indexed by mask). */
export function shapleyFromCoalitions(values: ArrayLike<number>, m: number): number[] {
  const weights = shapleyWeights(m);
  const phi = new Array<number>(m).fill(0);
  for (let mask = 0; mask < 1 << m; mask++) {
    const w = weights[popcount(mask)]!;
    for (let i = 0; i < m; i++) {
      if ((mask >>> i) & 1) continue;
      phi[i]! += w * ((values[mask | (1 << i)] as number) - (values[mask] as number));
    }
  }
  return phi;
}

/** Exact interventional Shapley values by enumerating every subset (2^M · |background| model rows). */
export async function exactShapley<T extends FeatureValue = number>(
  f: NumericModel<T>,
  x: readonly T[],
  background: readonly (readonly T[])[],
): Promise<ShapleyExplanation> {
  checkRow(x, background);
  const m = x.length;
  if (m > MAX_EXACT_FEATURES) {
    throw explainError(
      'EXPLAIN_TOO_MANY_FEATURES',
      `exact Shapley values enumerate 2^${m} subsets: at most ${MAX_EXACT_FEATURES} features (use kernelShap)`,
      { features: m },
    );
  }
  const masks = Array.from({ length: 1 << m }, (_, i) => i);
  const values = await coalitionValues(f, x, background, masks);
  return {
    values: shapleyFromCoalitions(values, m),
    expectedValue: values[0]!,
    prediction: values[(1 << m) - 1]!,
  };
}

/**
 * Closed form for f(x) = intercept + Σ coef_i x_i with independent features:
 * φ_i = coef_i (x_i − mean_i), where mean is the background mean.
 */
export function linearShap(
  coef: readonly number[],
  intercept: number,
  x: readonly number[],
  background: readonly (readonly number[])[],
): ShapleyExplanation {
  checkRow(x, background);
  if (coef.length !== x.length) {
    throw explainError('EXPLAIN_INVALID_INPUT', `${coef.length} coefficients for ${x.length} features`, {
      field: 'coef',
    });
  }
  const mean = x.map((_, i) => background.reduce((s, b) => s + b[i]!, 0) / background.length);
  const values = coef.map((c, i) => c * (x[i]! - mean[i]!));
  let expectedValue = intercept;
  let prediction = intercept;
  coef.forEach((c, i) => {
    expectedValue += c * mean[i]!;
    prediction += c * x[i]!;
  });
  return { values, expectedValue, prediction };
}

export interface KernelShapOptions {
  /** Coalitions to evaluate when 2^M − 2 is larger (default 2048); all of them are used otherwise. */
  nSamples?: number;
  /** Seed of the coalition sampler (numpy RandomState stream). */
  seed?: number;
}

/** Solves the symmetric system A z = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const p = a[col]![col]!;
    if (p === 0) continue;
    for (let r = col + 1; r < n; r++) {
      const factor = a[r]![col]! / p;
      if (factor === 0) continue;
      for (let c = col; c < n; c++) a[r]![c]! -= factor * a[col]![c]!;
      b[r]! -= factor * b[col]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r]![c]! * z[c]!;
    z[r] = a[r]![r]! === 0 ? 0 : s / a[r]![r]!;
  }
  return z;
}

/**
 * KernelSHAP: the weighted least-squares fit of v over coalitions with the
 * Shapley kernel, constrained so the values sum to f(x) − E f. With every
 * coalition (2^M − 2 ≤ nSamples) the fit is the exact Shapley values; above
 * that, coalition sizes are drawn in proportion to the kernel's total weight
 * per size, each with its complement, and weighted equally.
 */
export async function kernelShap<T extends FeatureValue = number>(
  f: NumericModel<T>,
  x: readonly T[],
  background: readonly (readonly T[])[],
  options: KernelShapOptions = {},
): Promise<ShapleyExplanation> {
  checkRow(x, background);
  const m = x.length;
  const nSamples = options.nSamples ?? 2048;
  if (!Number.isInteger(nSamples) || nSamples < 2 || nSamples > 1_000_000) {
    throw cairnError('OPTION_INVALID', `nSamples is ${nSamples}: it must be an integer from 2 to 1000000`, {
      data: { option: 'nSamples', value: nSamples },
    });
  }
  if (m > 30) {
    throw explainError(
      'EXPLAIN_TOO_MANY_FEATURES',
      `KernelSHAP here supports at most 30 features, got ${m}`,
      {
        features: m,
      },
    );
  }
  const full = (1 << m) >>> 0;
  const [ends] = [await coalitionValues(f, x, background, [0, full - 1])];
  const expectedValue = ends[0]!;
  const prediction = ends[1]!;
  if (m === 1) return { values: [prediction - expectedValue], expectedValue, prediction };
  const masks: number[] = [];
  const weights: number[] = [];
  if (full - 2 <= nSamples) {
    for (let mask = 1; mask < full - 1; mask++) {
      const s = popcount(mask);
      let binom = 1;
      for (let k = 1; k <= s; k++) binom = (binom * (m - s + k)) / k;
      masks.push(mask);
      weights.push((m - 1) / (binom * s * (m - s)));
    }
  } else {
    const random = new NumpyRandomState(options.seed ?? 0);
    const sizeWeight = Array.from({ length: m - 1 }, (_, i) => (m - 1) / ((i + 1) * (m - 1 - i)));
    const total = sizeWeight.reduce((a, b) => a + b, 0);
    const uniform = (): number => random.nextUint32() / 2 ** 32;
    while (masks.length < nSamples) {
      let u = uniform() * total;
      let size = 1;
      while (size < m - 1 && u >= sizeWeight[size - 1]!) u -= sizeWeight[size++ - 1]!;
      const order = random.permutation(m);
      let mask = 0;
      for (let k = 0; k < size; k++) mask |= 1 << order[k]!;
      masks.push(mask >>> 0, (~mask & (full - 1)) >>> 0);
      weights.push(1, 1);
    }
  }
  const v = await coalitionValues(f, x, background, masks);
  const last = m - 1;
  const target = prediction - expectedValue;
  const ata = Array.from({ length: last }, () => new Array<number>(last).fill(0));
  const atb = new Array<number>(last).fill(0);
  for (let s = 0; s < masks.length; s++) {
    const mask = masks[s]!;
    const zLast = (mask >>> last) & 1;
    const row = Array.from({ length: last }, (_, i) => ((mask >>> i) & 1) - zLast);
    const rhs = v[s]! - expectedValue - zLast * target;
    const w = weights[s]!;
    for (let i = 0; i < last; i++) {
      if (row[i] === 0) continue;
      atb[i]! += w * row[i]! * rhs;
      for (let j = 0; j < last; j++) ata[i]![j]! += w * row[i]! * row[j]!;
    }
  }
  const head = solve(ata, atb);
  const values = [...head, target - head.reduce((a, b) => a + b, 0)];
  return { values, expectedValue, prediction };
}
