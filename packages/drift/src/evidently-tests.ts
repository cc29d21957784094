/**
 * Evidently's other column drift tests (evidently `legacy/calculations/stattests`,
 * see docs/drift.md for the file each one follows): the scipy statistics they
 * call are ported from scipy 1.10.1 and Evidently's own glue (binning, key
 * handling, permutations, thresholds) is reproduced. Where Evidently depends on
 * Python's hash order of a set of categories, categories are taken in sorted
 * order; where it draws from numpy's unseeded global generator, a
 * RandomState(0) is used so results are reproducible.
 */
import { NumpyRandomState } from '@cairn/metrics';
import { binnedShares, categoryCounts, histogramCounts, sturgesBinEdges, unionKeys } from './binning';
import type { Value } from './binning';
import type { TestResult } from './distances';
import { driftError } from './errors';
import { binom, chi2Sf, lgam, ndtr } from './special/cephes';
import { studentTwoSidedP } from './special/incbet';
import { npSum } from './special/kolmogorov';

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sortedKeys(reference: Map<Value, number>, current: Map<Value, number>): Value[] {
  return unionKeys(reference, current).sort(compareValues);
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** scipy.stats.rankdata(method="average") of `values`, ranks starting at 1. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (values[a] as number) - (values[b] as number) || a - b,
  );
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = 0.5 * (i + j) + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

function tieSizes(sorted: Float64Array): number[] {
  const sizes: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    sizes.push(j - i + 1);
    i = j + 1;
  }
  return sizes;
}

/** Counts of arrangements with Mann–Whitney U = k for k <= kMax (scipy's `_MWU._f`, bottom up). */
function mannWhitneyCounts(m: number, n: number, kMax: number): Float64Array {
  const inner = Math.max(m, n);
  const outer = Math.min(m, n);
  let previous: Float64Array[] = Array.from({ length: inner + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= outer; i++) {
    const row: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= inner; j++) {
      const length = Math.min(i * j, kMax) + 1;
      const f = new Float64Array(length);
      const left = row[j - 1]!;
      const up = previous[j]!;
      for (let k = 0; k < length; k++) {
        const fromUp = k - j >= 0 && k - j < up.length ? up[k - j]! : 0;
        const fromLeft = k < left.length ? left[k]! : 0;
        f[k] = fromUp + fromLeft;
      }
      row.push(f);
    }
    previous = row;
  }
  return previous[inner]!;
}

/** Cells of the exact Mann–Whitney table we are willing to fill (a few hundred MB at most). */
const MWU_EXACT_BUDGET = 2e7;

function mannWhitneyCells(m: number, n: number, kMax: number): number {
  const outer = Math.min(m, n);
  const inner = Math.max(m, n);
  let cells = 0;
  for (let i = 1; i <= outer; i++) cells += inner * (Math.min(i * inner, kMax) + 1);
  return cells;
}

/**
 * Evidently `mannw`: scipy.stats.mannwhitneyu(reference, current,
 * alternative="less"), method "auto" (exact when a sample has <= 8 values and
 * there are no ties), continuity correction on.
 */
export function mannWhitneyLess(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult {
  const n1 = reference.length;
  const n2 = current.length;
  const all = new Float64Array(n1 + n2);
  all.set(reference, 0);
  all.set(current, n1);
  const ranks = averageRanks(all);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const ties = tieSizes(sortedCopy(all));
  // scipy goes exact when a sample has <= 8 values and nothing ties; its table grows with n1·n2·U, so past
  // a budget (e.g. 8 values against ~1000) we use the normal approximation instead, as scipy does for larger samples.
  const exact =
    (n1 <= 8 || n2 <= 8) &&
    ties.every((t) => t === 1) &&
    mannWhitneyCells(n1, n2, n1 * n2 - Math.trunc(u2)) <= MWU_EXACT_BUDGET;
  let p: number;
  if (exact) {
    const k = n1 * n2 - Math.trunc(u2);
    const counts = mannWhitneyCounts(n1, n2, k);
    const total = binom(n1 + n2, n1);
    let cdf = 0;
    for (let i = 0; i <= k; i++) cdf += (counts[i] ?? 0) / total;
    p = cdf;
  } else {
    const n = n1 + n2;
    let tieTerm = 0;
    for (const t of ties) tieTerm += t ** 3 - t;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (u2 - (n1 * n2) / 2 - 0.5) / s;
    p = ndtr(-z);
  }
  return { statistic: u1, pValue: Math.min(1, Math.max(0, p)) };
}

function mean(values: ArrayLike<number>): number {
  return npSum(values) / values.length;
}

/** Evidently `t_test`: scipy.stats.ttest_ind(reference, current), equal variances, two-sided. */
export function tTestIndependent(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult {
  const n1 = reference.length;
  const n2 = current.length;
  const variance = (values: ArrayLike<number>, m: number): number => {
    const d = Float64Array.from(values, (x) => (x - m) ** 2);
    return npSum(d) / (values.length - 1);
  };
  const m1 = mean(reference);
  const m2 = mean(current);
  const v1 = variance(reference, m1);
  const v2 = variance(current, m2);
  const df = n1 + n2 - 2.0;
  const svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
  const denom = Math.sqrt(svar * (1.0 / n1 + 1.0 / n2));
  const t = (m1 - m2) / denom;
  return { statistic: t, pValue: studentTwoSidedP(t, df) };
}

function searchSorted(sorted: Float64Array, value: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (side === 'left' ? v < value : v <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function uniqueSorted(sorted: Float64Array): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]!);
  return Float64Array.from(out);
}

/** Least-squares quadratic through (x, y) by Householder QR (np.polyfit(x, y, 2)). */
function quadraticFit(x: readonly number[], y: readonly number[]): [number, number, number] {
  const rows = x.length;
  const a = x.map((xi) => [xi * xi, xi, 1]);
  const b = [...y];
  for (let col = 0; col < 3; col++) {
    let norm = 0;
    for (let r = col; r < rows; r++) norm += a[r]![col]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[col]![col]! > 0 ? -norm : norm;
    const v = new Array<number>(rows).fill(0);
    for (let r = col; r < rows; r++) v[r] = a[r]![col]!;
    v[col]! -= alpha;
    let vv = 0;
    for (let r = col; r < rows; r++) vv += v[r]! ** 2;
    if (vv === 0) continue;
    for (let c = col; c < 3; c++) {
      let dot = 0;
      for (let r = col; r < rows; r++) dot += v[r]! * a[r]![c]!;
      for (let r = col; r < rows; r++) a[r]![c]! -= (2 * dot * v[r]!) / vv;
    }
    let dot = 0;
    for (let r = col; r < rows; r++) dot += v[r]! * b[r]!;
    for (let r = col; r < rows; r++) b[r]! -= (2 * dot * v[r]!) / vv;
  }
  const coef = [0, 0, 0];
  for (let c = 2; c >= 0; c--) {
    let s = b[c]!;
    for (let k = c + 1; k < 3; k++) s -= a[c]![k]! * coef[k]!;
    coef[c] = s / a[c]![c]!;
  }
  return coef as [number, number, number];
}

const AD_SIGNIFICANCE = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
// scipy's critical values for k - 1 = 1 degree of freedom (b0 + b1/sqrt(m) + b2/m, m = 1).
const AD_CRITICAL = [
  [0.675, -0.245, -0.105],
  [1.281, 0.25, -0.305],
  [1.645, 0.678, -0.362],
  [1.96, 1.149, -0.391],
  [2.326, 1.822, -0.396],
  [2.573, 2.364, -0.345],
  [3.085, 3.615, -0.154],
].map(([b0, b1, b2]) => b0! + b1! / Math.sqrt(1) + b2! / 1);
const AD_FIT = quadraticFit(AD_CRITICAL, AD_SIGNIFICANCE.map(Math.log));

/**
 * Evidently `anderson`: the p-value of scipy.stats.anderson_ksamp([reference,
 * current]) (midrank statistic of Scholz and Stephens; the p-value is
 * interpolated from critical values and capped to [0.001, 0.25], as scipy does).
 */
export function andersonDarling(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult {
  const samples = [sortedCopy(reference), sortedCopy(current)];
  const z = new Float64Array(reference.length + current.length);
  z.set(samples[0]!, 0);
  z.set(samples[1]!, reference.length);
  z.sort();
  const n = z.length;
  const zStar = uniqueSorted(z);
  if (zStar.length < 2) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      'the Anderson-Darling test needs more than one distinct value across both samples',
    );
  }
  const k = 2;
  let a2kn = 0;
  for (const s of samples) {
    const inner = new Float64Array(zStar.length);
    for (let j = 0; j < zStar.length; j++) {
      const zj = zStar[j]!;
      const left = searchSorted(z, zj, 'left');
      const lj = n === zStar.length ? 1 : searchSorted(z, zj, 'right') - left;
      const bj = left + lj / 2;
      const right = searchSorted(s, zj, 'right');
      const mij = right - (right - searchSorted(s, zj, 'left')) / 2;
      inner[j] = ((lj / n) * (n * mij - bj * s.length) ** 2) / (bj * (n - bj) - (n * lj) / 4);
    }
    a2kn += npSum(inner) / s.length;
  }
  a2kn *= (n - 1) / n;
  const H = 1 / samples[0]!.length + 1 / samples[1]!.length;
  const hsCs = new Float64Array(Math.max(0, n - 2));
  let running = 0;
  for (let i = 0; i < hsCs.length; i++) {
    running += 1 / (n - 1 - i);
    hsCs[i] = running;
  }
  const h = (hsCs.length ? hsCs[hsCs.length - 1]! : 0) + 1;
  const g = npSum(hsCs.map((v, i) => v / (i + 2)));
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * n ** 3 + b * n ** 2 + c * n + d) / ((n - 1) * (n - 2) * (n - 3));
  const m = k - 1;
  const statistic = (a2kn - m) / Math.sqrt(sigmasq);
  let p: number;
  if (statistic < Math.min(...AD_CRITICAL)) p = 0.25;
  else if (statistic > Math.max(...AD_CRITICAL)) p = 0.001;
  else p = Math.exp((AD_FIT[0] * statistic + AD_FIT[1]) * statistic + AD_FIT[2]);
  return { statistic, pValue: p };
}

/** K_nu(x), modified Bessel function of the second kind, by the trapezoidal rule on ∫ e^{−x cosh t} cosh(nu t) dt. */
export function besselK(nu: number, x: number): number {
  if (x <= 0) return x === 0 ? Infinity : NaN;
  const h = 1 / 64;
  let sum = 0.5 * Math.exp(-x);
  for (let i = 1; ; i++) {
    const t = i * h;
    const term = Math.exp(-x * Math.cosh(t)) * Math.cosh(nu * t);
    sum += term;
    if (term < sum * 1e-18 || term === 0) break;
  }
  return sum * h;
}

/** Evidently's `_cdf_cvm_inf` (scipy's too): the limiting CDF of the Cramér–von Mises statistic, terms added until < 1e-7. */
function cdfCvmInf(x: number): number {
  let total = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(lgam(k + 0.5) - lgam(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = y ** 2 / (16 * x);
    const z = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += z;
    if (!(Math.abs(z) >= 1e-7)) break;
  }
  return total;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Exact p-value of the two-sample Cramér–von Mises U statistic (Xiao, Gordon & Yakovlev), as Evidently's `_pval_cvm_2samp_exact`. */
function cvmExactP(s: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1))) / (6 * mn ** 2));
  let combinations = 1;
  for (let i = 1; i <= m; i++) combinations = (combinations * (n + i)) / i;
  let gs: Array<Map<number, number>> = [new Map([[0, 1]]), ...Array.from({ length: m }, () => new Map())];
  for (let u = 0; u <= n; u++) {
    const next: Array<Map<number, number>> = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v < gs.length; v++) {
      const merged = new Map(tmp);
      for (const [value, freq] of gs[v]!) merged.set(value, (merged.get(value) ?? 0) + freq);
      const shift = (a * v - b * u) ** 2;
      tmp = new Map();
      for (const [value, freq] of merged) tmp.set(value + shift, freq);
      next.push(tmp);
    }
    gs = next;
  }
  let hits = 0;
  for (const [value, freq] of gs[m]!) if (value >= zeta) hits += freq;
  return hits / combinations;
}

/** Evidently `cramer_von_mises` (its `_cvm_2samp`, method "auto": exact when both samples have <= 20 values). */
export function cramerVonMises(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult {
  const nx = reference.length;
  const ny = current.length;
  if (nx <= 1 || ny <= 1) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      `the Cramér-von Mises test needs at least two values in each sample (reference ${nx}, current ${ny})`,
    );
  }
  const z = new Float64Array(nx + ny);
  z.set(sortedCopy(reference), 0);
  z.set(sortedCopy(current), nx);
  const r = averageRanks(z);
  const dx = Float64Array.from({ length: nx }, (_, i) => (r[i]! - (i + 1)) ** 2);
  const dy = Float64Array.from({ length: ny }, (_, i) => (r[nx + i]! - (i + 1)) ** 2);
  const u = nx * npSum(dx) + ny * npSum(dy);
  const k = nx * ny;
  const N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  let p: number;
  if (Math.max(nx, ny) <= 20) {
    p = cvmExactP(u, nx, ny);
  } else {
    const et = (1 + 1 / N) / 6;
    let vt = (N + 1.0) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k);
    vt = vt / (45 * N ** 2 * 4 * k);
    const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
    p = tn < 0.003 ? 1.0 : Math.max(0, 1.0 - cdfCvmInf(tn));
  }
  return { statistic: t, pValue: p };
}

/** numpy.percentile(values, q) with the default "linear" method on sorted values. */
function percentileLinear(sorted: Float64Array, q: number): number {
  const index = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = index - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations. */
function symmetricEigen(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v };
}

/**
 * Evidently `es`: scipy.stats.epps_singleton_2samp(reference, current) with
 * t = (0.4, 0.8). Evidently refuses a zero interquartile range; so do we.
 */
export function eppsSingleton(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult {
  const nx = reference.length;
  const ny = current.length;
  if (nx < 5 || ny < 5) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      `the Epps-Singleton test needs at least 5 values in each sample (reference ${nx}, current ${ny})`,
    );
  }
  const n = nx + ny;
  const all = new Float64Array(n);
  all.set(reference, 0);
  all.set(current, nx);
  all.sort();
  const iqr = percentileLinear(all, 75) - percentileLinear(all, 25);
  if (iqr === 0) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      'the Epps-Singleton test needs a non-zero interquartile range across both samples (Evidently refuses it too)',
    );
  }
  const sigma = iqr / 2;
  const ts = [0.4 / sigma, 0.8 / sigma];
  const features = (values: ArrayLike<number>): number[][] =>
    Array.from({ length: values.length }, (_, i) => {
      const x = values[i] as number;
      return [Math.cos(ts[0]! * x), Math.cos(ts[1]! * x), Math.sin(ts[0]! * x), Math.sin(ts[1]! * x)];
    });
  const gx = features(reference);
  const gy = features(current);
  const columnMeans = (g: number[][]): number[] =>
    [0, 1, 2, 3].map((c) => npSum(Float64Array.from(g, (row) => row[c]!)) / g.length);
  const biasedCov = (g: number[][], means: number[]): number[][] =>
    [0, 1, 2, 3].map((i) =>
      [0, 1, 2, 3].map((j) => {
        let s = 0;
        for (const row of g) s += (row[i]! - means[i]!) * (row[j]! - means[j]!);
        return s / g.length;
      }),
    );
  const mx = columnMeans(gx);
  const my = columnMeans(gy);
  const cx = biasedCov(gx, mx);
  const cy = biasedCov(gy, my);
  const estCov = cx.map((row, i) => row.map((v, j) => (n / nx) * v + (n / ny) * cy[i]![j]!));
  const { values, vectors } = symmetricEigen(estCov);
  const largest = Math.max(...values.map(Math.abs));
  const kept = values.map((l) => Math.abs(l) > 1e-15 * largest);
  const inverseValues = values.map((l, i) => (kept[i] ? 1 / l : 0));
  const maxInverse = Math.max(...inverseValues.map(Math.abs));
  const rank = inverseValues.filter((l) => Math.abs(l) > maxInverse * 4 * Number.EPSILON).length;
  const gDiff = mx.map((v, i) => v - my[i]!);
  // w = n * gDiff' pinv(estCov) gDiff, with pinv = V diag(1/lambda) V'.
  let w = 0;
  for (let e = 0; e < 4; e++) {
    if (!kept[e]) continue;
    let proj = 0;
    for (let i = 0; i < 4; i++) proj += vectors[i]![e]! * gDiff[i]!;
    w += (proj * proj) / values[e]!;
  }
  w *= n;
  if (Math.max(nx, ny) < 25) {
    const corr = 1.0 / (1.0 + n ** -0.45 + 10.1 * (nx ** -1.7 + ny ** -1.7));
    w = corr * w;
  }
  return { statistic: w, pValue: chi2Sf(w, rank) };
}

/** log of the hypergeometric pmf P(X = x) for a population of `total` with `good` successes and `draws` draws. */
function hypergeomLogPmf(x: number, total: number, good: number, draws: number): number {
  const logBinom = (a: number, b: number): number => lgam(a + 1) - lgam(b + 1) - lgam(a - b + 1);
  return logBinom(good, x) + logBinom(total - good, draws - x) - logBinom(total, draws);
}

/**
 * scipy.stats.fisher_exact(table) two-sided p-value for a 2x2 table
 * [[a, b], [c, d]]: the probability of every table at most as likely as the
 * observed one (relative tolerance 1e-14, as scipy).
 */
export function fisherExact2x2(
  table: readonly [readonly [number, number], readonly [number, number]],
): TestResult {
  const [[a, b], [c, d]] = table;
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return { statistic: NaN, pValue: 1 };
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const total = n1 + n2;
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  const pmf = (x: number): number => Math.exp(hypergeomLogPmf(x, total, n1, n));
  const pExact = pmf(a);
  const mode = Math.trunc(((n + 1) * (n1 + 1)) / (total + 2));
  const pMode = pmf(mode);
  if (Math.abs(pExact - pMode) / Math.max(pExact, pMode) <= 1e-14) return { statistic: oddsRatio, pValue: 1 };
  const limit = pExact * (1 + 1e-14);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const px = pmf(x);
    if (x === a || px <= limit) p += px;
  }
  return { statistic: oddsRatio, pValue: Math.min(p, 1) };
}

/**
 * Evidently `fisher_exact`: both samples must be binary and of equal size; the
 * table is [[ones in current, zeros in current], [ones in reference, zeros in reference]].
 */
export function fisherExactTest(reference: ArrayLike<Value>, current: ArrayLike<Value>): TestResult {
  if (reference.length !== current.length) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      `fisher_exact needs reference and current samples of equal length (Evidently's rule), got ${reference.length} and ${current.length}`,
    );
  }
  const refCounts = categoryCounts(reference);
  const curCounts = categoryCounts(current);
  if (refCounts.size > 2 || curCounts.size > 2) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      'fisher_exact needs binary data: each sample may hold at most 2 distinct values',
    );
  }
  const keys = sortedKeys(refCounts, curCounts);
  const one = keys[1];
  const oneRef = one === undefined ? 0 : (refCounts.get(one) ?? 0);
  const oneCur = one === undefined ? 0 : (curCounts.get(one) ?? 0);
  return fisherExact2x2([
    [oneCur, current.length - oneCur],
    [oneRef, reference.length - oneRef],
  ]);
}

/**
 * Evidently `g_test`: scipy.stats.power_divergence(current counts, reference
 * counts scaled to the current size, lambda_="log-likelihood").
 */
export function gTest(reference: ArrayLike<Value>, current: ArrayLike<Value>): TestResult {
  const refCounts = categoryCounts(reference);
  const curCounts = categoryCounts(current);
  const keys = sortedKeys(refCounts, curCounts);
  const kNorm = current.length / reference.length;
  const terms = Float64Array.from(keys, (key) => {
    const observed = curCounts.get(key) ?? 0;
    const expected = (refCounts.get(key) ?? 0) * kNorm;
    return observed === 0 ? 0 : 2.0 * observed * Math.log(observed / expected);
  });
  const statistic = npSum(terms);
  return { statistic, pValue: chi2Sf(statistic, keys.length - 1) };
}

/** Evidently `hellinger`: per category, or over Sturges bins of the distinct values with numpy densities. */
export function hellingerDistance(
  reference: ArrayLike<Value>,
  current: ArrayLike<Value>,
  numerical: boolean,
): number {
  let affinity = 0;
  if (!numerical) {
    const refCounts = categoryCounts(reference);
    const curCounts = categoryCounts(current);
    for (const key of sortedKeys(refCounts, curCounts)) {
      const p1 = (refCounts.get(key) ?? 0) / reference.length;
      const p2 = (curCounts.get(key) ?? 0) / current.length;
      affinity += Math.sqrt(p1 * p2);
    }
  } else {
    const keys = unionKeys(categoryCounts(reference), categoryCounts(current)) as number[];
    const edges = sturgesBinEdges(keys);
    const density = (values: ArrayLike<number>): Float64Array => {
      const counts = histogramCounts(values, edges);
      const total = npSum(counts);
      return counts.map((count, i) => count / (edges[i + 1]! - edges[i]!) / total);
    };
    const h1 = density(reference as ArrayLike<number>);
    const h2 = density(current as ArrayLike<number>);
    const binWidth = (Math.max(...edges) - Math.min(...edges)) / (edges.length - 1);
    for (let i = 0; i < h1.length; i++) affinity += Math.sqrt(h1[i]! * h2[i]!) * binWidth;
  }
  affinity = Math.min(1, Math.max(0, affinity));
  return Math.sqrt(1 - affinity);
}

/** Evidently `kl_div`: scipy.stats.entropy(reference shares, current shares) over Evidently's bins, zeros filled. */
export function klDivergence(
  reference: ArrayLike<Value>,
  current: ArrayLike<Value>,
  numerical: boolean,
): number {
  const shares = binnedShares(reference, current, numerical, true);
  const sp = npSum(shares.reference);
  const sq = npSum(shares.current);
  const terms = shares.reference.map((r, i) => {
    const p = r / sp;
    const q = shares.current[i]! / sq;
    return p > 0 && q > 0 ? p * Math.log(p / q) : p === 0 ? 0 : Infinity;
  });
  return npSum(terms);
}

function totalVariation(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>): number {
  const refTotal = npSum(refCounts);
  const curTotal = npSum(curCounts);
  const diffs = Float64Array.from({ length: refCounts.length }, (_, i) =>
    Math.abs((refCounts[i] as number) / refTotal - (curCounts[i] as number) / curTotal),
  );
  return 0.5 * npSum(diffs);
}

/**
 * Evidently `TVD`: total variation distance between the category shares, and
 * its permutation p-value (Evidently's `permutation_test`: numpy seed 0, 1000
 * draws of `np.random.choice(combined, len(reference), replace=False)`).
 */
export function tvdTest(
  reference: ArrayLike<Value>,
  current: ArrayLike<Value>,
  iterations = 1000,
): TestResult {
  const refCounts = categoryCounts(reference);
  const curCounts = categoryCounts(current);
  const keys = sortedKeys(refCounts, curCounts);
  const index = new Map(keys.map((k, i) => [k, i]));
  const ref = Float64Array.from(keys, (k) => refCounts.get(k) ?? 0);
  const cur = Float64Array.from(keys, (k) => curCounts.get(k) ?? 0);
  const observed = totalVariation(ref, cur);
  const combined = new Int32Array(reference.length + current.length);
  for (let i = 0; i < reference.length; i++) combined[i] = index.get(reference[i] as Value)!;
  for (let i = 0; i < current.length; i++) combined[reference.length + i] = index.get(current[i] as Value)!;
  const totals = Float64Array.from(keys, (_, i) => ref[i]! + cur[i]!);
  const random = new NumpyRandomState(0);
  let atLeast = 0;
  for (let it = 0; it < iterations; it++) {
    const perm = random.permutation(combined.length);
    const newRef = new Float64Array(keys.length);
    for (let i = 0; i < reference.length; i++) newRef[combined[perm[i]!]!]! += 1;
    // Categories absent from a permuted sample drop out of Evidently's keys; zeros change nothing in the sum.
    const newCur = totals.map((t, i) => t - newRef[i]!);
    if (observed <= Math.abs(totalVariation(newRef, newCur))) atLeast++;
  }
  return { statistic: observed, pValue: atLeast / iterations };
}

/** numpy.percentile(values, 50, method="nearest") on sorted values (round half to even). */
function medianNearest(sorted: Float64Array): number {
  const index = 0.5 * (sorted.length - 1);
  const floor = Math.floor(index);
  const rounded = index - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(index);
  return sorted[rounded]!;
}

/** 5000² doubles = 200 MB for the kernel matrix. */
export const MMD_MAX_VALUES = 5000;

/**
 * Evidently `empirical_mmd`: maximum mean discrepancy with an RBF kernel whose
 * width is the median heuristic of the reference, and its p-value over 100
 * permutations (numpy RandomState(0) in place of Evidently's unseeded global
 * generator). Cost is O((n + m)^2) memory and time, as in Evidently.
 */
export function empiricalMmd(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  permutations = 100,
): TestResult {
  const nx = reference.length;
  const ny = current.length;
  if (nx < 2 || ny < 2) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      `empirical_mmd needs at least two values in each sample (reference ${nx}, current ${ny})`,
    );
  }
  if (nx + ny > MMD_MAX_VALUES) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      `empirical_mmd builds an (n + m)² kernel matrix: at most ${MMD_MAX_VALUES} values across both samples, got ${nx + ny}`,
      { test: 'empirical_mmd', values: nx + ny },
      'sample the rows first, or use ks, wasserstein_norm or ed on large samples',
    );
  }
  const all = new Float64Array(nx + ny);
  all.set(reference, 0);
  all.set(current, nx);
  const size = all.length;
  const dist = (x: number, y: number): number => y ** 2 - 2 * (x * y) + x ** 2;
  const xx = new Float64Array(nx * nx);
  for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) xx[i * nx + j] = dist(all[i]!, all[j]!);
  let sigma = Math.sqrt(0.5 * medianNearest(Float64Array.from(xx).sort()));
  if (sigma === 0) sigma = Math.sqrt(0.5 * 1);
  const gammaRbf = 1.0 / (2.0 * sigma ** 2);
  const kernel = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (i === j) continue;
      // kxy is computed as dist(x_i, y_j) and mirrored for the lower-left block, as Evidently's kxy.T.
      const d =
        i < nx && j < nx
          ? xx[i * nx + j]!
          : i < nx || j >= nx
            ? dist(all[i]!, all[j]!)
            : dist(all[j]!, all[i]!);
      kernel[i * size + j] = Math.exp(-gammaRbf * d);
    }
  }
  const A = 1 / (nx * (nx - 1));
  const B = 1 / (ny * (ny - 1));
  const mmdOf = (order: Int32Array | null): number => {
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < size; i++) {
      const pi = order ? order[i]! : i;
      for (let j = 0; j < size; j++) {
        const value = kernel[pi * size + (order ? order[j]! : j)]!;
        if (i < nx && j < nx) sxx += value;
        else if (i >= nx && j >= nx) syy += value;
        else if (i >= nx && j < nx) sxy += value;
      }
    }
    return A * sxx + B * syy - 2.0 * (sxy / (nx * ny));
  };
  const observed = mmdOf(null);
  const random = new NumpyRandomState(0);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) if (observed <= mmdOf(random.permutation(size))) atLeast++;
  return { statistic: observed, pValue: atLeast / permutations };
}
