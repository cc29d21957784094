/**
 * Two-sample Kolmogorov–Smirnov test, a port of scipy 1.10.1's
 * `scipy.stats.ks_2samp` (scipy/stats/_stats_py.py, _stats_pythran.py):
 * the same statistic, the same exact path (`max(n1, n2) <= 10000` under
 * `method: 'auto'`), the same fallback to the asymptotic distribution when the
 * exact computation overflows.
 */
import { binom } from './special/cephes';
import { kstwoSf } from './special/kolmogorov';
import { toSortedFinite } from './sample';

export type KsAlternative = 'two-sided' | 'less' | 'greater';
export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  statistic: number;
  pValue: number;
  /** Which p-value computation was used in the end. */
  method: 'exact' | 'asymp';
}

/** scipy's MAX_AUTO_N: 'auto' attempts the exact p-value when max(n1, n2) <= this. */
export const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

export function ks2samp(
  data1: ArrayLike<number>,
  data2: ArrayLike<number>,
  options: { alternative?: KsAlternative; method?: KsMethod } = {},
): KsResult {
  const alternative = options.alternative ?? 'two-sided';
  let mode: KsMethod = options.method ?? 'auto';
  const a = toSortedFinite(data1, 'data1', { allowInfinite: true });
  const b = toSortedFinite(data2, 'data2', { allowInfinite: true });
  const n1 = a.length;
  const n2 = b.length;

  const { minS, maxS } = extremeCdfDiffs(a, b);
  let d = alternative === 'less' || (alternative === 'two-sided' && minS > maxS) ? minS : maxS;

  const g = gcd(n1, n2);
  const n1g = Math.floor(n1 / g);
  const n2g = Math.floor(n2 / g);
  let prob = -Infinity;
  if (mode === 'auto') {
    mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  } else if (mode === 'exact') {
    if (n1g >= INT32_MAX / n2g) mode = 'asymp';
  }
  if (mode === 'exact') {
    const exact = attemptExact2kssamp(n1, n2, g, d, alternative);
    d = exact.d;
    if (exact.success) prob = exact.prob;
    else mode = 'asymp';
  }
  if (mode === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    if (alternative === 'two-sided') {
      prob = kstwoSf(roundHalfEven(en), d);
    } else {
      const z = Math.sqrt(en) * d;
      const expt = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3.0;
      prob = Math.exp(expt);
    }
  }
  prob = Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pValue: prob, method: mode === 'exact' ? 'exact' : 'asymp' };
}

/**
 * max and -min of F1(x) - F2(x) over all sample points (as scipy's
 * searchsorted(side='right') formulation, computed by one merge walk).
 */
function extremeCdfDiffs(a: Float64Array, b: Float64Array): { minS: number; maxS: number } {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const ai = i < n1 ? (a[i] as number) : Infinity;
    const bj = j < n2 ? (b[j] as number) : Infinity;
    let v = ai <= bj ? ai : bj;
    if (i >= n1) v = bj;
    else if (j >= n2) v = ai;
    while (i < n1 && (a[i] as number) <= v) i++;
    while (j < n2 && (b[j] as number) <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return { minS, maxS: maxDiff };
}

export function gcd(x: number, y: number): number {
  let a = x;
  let b = y;
  while (b) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** numpy's round (half to even). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

class FloatingPointFailure extends Error {}

function checked(x: number): number {
  if (!Number.isFinite(x)) throw new FloatingPointFailure();
  return x;
}

function attemptExact2kssamp(
  n1: number,
  n2: number,
  g: number,
  dIn: number,
  alternative: KsAlternative,
): { success: boolean; d: number; prob: number } {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(dIn * lcm);
  const d = (h * 1.0) / lcm;
  if (h === 0) return { success: true, d, prob: 1.0 };
  let prob = NaN;
  try {
    if (alternative === 'two-sided') {
      prob = n1 === n2 ? computeProbOutsideSquare(n1, h) : computeOuterProbInsideMethod(n1, n2, g, h);
    } else if (n1 === n2) {
      prob = 1;
      for (let j = 0; j < h; j++) prob *= (n1 - j) / (n1 + j + 1.0);
    } else {
      const numPaths = countPathsOutsideMethod(n1, n2, g, h);
      const bin = binom(n1 + n2, n1);
      if (numPaths > bin || !Number.isFinite(bin)) return { success: false, d, prob: NaN };
      prob = numPaths / bin;
    }
  } catch (error) {
    if (error instanceof FloatingPointFailure) return { success: false, d, prob: NaN };
    throw error;
  }
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}

/** Pr(D_{n,n} >= h/n), scipy's `_compute_prob_outside_square`. */
function computeProbOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/** scipy's `_compute_outer_prob_inside_method` (pythran), Viehmann's 1-p recursion. */
function computeOuterProbInsideMethod(mIn: number, nIn: number, g: number, h: number): number {
  let m = mIn;
  let n = nIn;
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0.0;
  for (let i = 1; i < m + 1; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const end = Math.min(maxj - minj + (lastlen - curlen), lenA);
      for (let k = maxj - minj; k < end; k++) A[k] = 1;
    }
  }
  return A[maxj - minj - 1] as number;
}

/** scipy's `_count_paths_outside_method` (one-sided exact, n1 != n2). */
function countPathsOutsideMethod(mIn: number, nIn: number, g: number, h: number): number {
  let m = mIn;
  let n = nIn;
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binom(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j++) xj[j] = Math.floor((h + mg * j + ng - 1) / ng);
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j++) {
    let Bj = checked(binom((xj[j] as number) + j, j));
    for (let i = 0; i < j; i++) {
      const bin = checked(binom((xj[j] as number) - (xj[i] as number) + j - i, j - i));
      Bj = checked(Bj - checked(bin * (B[i] as number)));
    }
    B[j] = Bj;
  }
  let numPaths = 0;
  for (let j = 0; j < lxj; j++) {
    const bin = checked(binom(m - (xj[j] as number) + (n - j), n - j));
    numPaths = checked(numPaths + checked((B[j] as number) * bin));
  }
  return numPaths;
}
