/**
 * Population stability index, Jensen–Shannon distance, chi-square and the
 * z-test for proportions, as Evidently 0.4 runs them on a reference and a
 * current sample (see docs/drift.md for the exact sources followed).
 */
import { binnedShares, categoryCounts, unionKeys } from './binning';
import type { Value } from './binning';
import { driftError } from './errors';
import { chi2Sf, ndtr } from './special/cephes';
import { npSum } from './special/kolmogorov';

export interface BinningOptions {
  /** Treat values as numbers and bin them when the reference has > 20 distinct values (default: all values are numbers). */
  numerical?: boolean;
}

function requireNonEmpty(values: ArrayLike<Value>, name: string): void {
  if (values.length === 0)
    throw driftError('DRIFT_EMPTY_SAMPLE', `${name} is empty: a drift test needs at least one value`, {
      sample: name,
    });
}

function isAllNumbers(values: ArrayLike<Value>): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') return false;
  return true;
}

/** Evidently's `psi`: sum((ref% - cur%) * ln(ref% / cur%)) over Evidently's bins, zeros filled. */
export function psi(
  reference: ArrayLike<Value>,
  current: ArrayLike<Value>,
  options: BinningOptions = {},
): number {
  requireNonEmpty(reference, 'reference');
  requireNonEmpty(current, 'current');
  const numerical = options.numerical ?? (isAllNumbers(reference) && isAllNumbers(current));
  const shares = binnedShares(reference, current, numerical, true);
  const terms = new Float64Array(shares.reference.length);
  for (let i = 0; i < terms.length; i++) {
    const r = shares.reference[i] as number;
    const c = shares.current[i] as number;
    terms[i] = (r - c) * Math.log(r / c);
  }
  return npSum(terms);
}

/** scipy.special.rel_entr. */
function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q, base) for two probability (or count) vectors. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  if (p.length !== q.length) {
    throw driftError(
      'DRIFT_INVALID_VALUE',
      `p has ${p.length} entries and q ${q.length}: they must have the same length`,
    );
  }
  const sp = npSum(p);
  const sq = npSum(q);
  const left = new Float64Array(p.length);
  const right = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / sp;
    const qi = (q[i] as number) / sq;
    const m = (pi + qi) / 2.0;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  let js = npSum(left) + npSum(right);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2.0);
}

/** Evidently's `jensenshannon` stattest: the distance (base 2) between Evidently's bins, zeros kept. */
export function jensenShannon(
  reference: ArrayLike<Value>,
  current: ArrayLike<Value>,
  options: BinningOptions & { base?: number } = {},
): number {
  requireNonEmpty(reference, 'reference');
  requireNonEmpty(current, 'current');
  const numerical = options.numerical ?? (isAllNumbers(reference) && isAllNumbers(current));
  const shares = binnedShares(reference, current, numerical, false);
  return jensenShannonDistance(shares.reference, shares.current, options.base ?? 2);
}

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * scipy.stats.chisquare(f_obs, f_exp, ddof): Pearson's statistic and its
 * chi-square survival p-value with k - 1 - ddof degrees of freedom.
 */
export function chisquareFrequencies(
  fObs: ArrayLike<number>,
  fExp?: ArrayLike<number>,
  ddof = 0,
): TestResult {
  const k = fObs.length;
  let expected: ArrayLike<number>;
  if (fExp === undefined) {
    const mean = npSum(fObs) / k;
    expected = new Float64Array(k).fill(mean);
  } else {
    if (fExp.length !== k) {
      throw driftError(
        'DRIFT_FREQUENCY_MISMATCH',
        `f_obs has ${k} entries and f_exp ${fExp.length}: they must match`,
      );
    }
    const obsSum = npSum(fObs);
    const expSum = npSum(fExp);
    const relativeDiff = Math.abs(obsSum - expSum) / Math.min(obsSum, expSum);
    if (relativeDiff > 1e-8) {
      throw driftError(
        'DRIFT_FREQUENCY_MISMATCH',
        `the observed frequencies sum to ${obsSum} and the expected ones to ${expSum}: they must agree to a relative tolerance of 1e-8`,
        { observed: obsSum, expected: expSum },
      );
    }
    expected = fExp;
  }
  const terms = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const o = fObs[i] as number;
    const e = expected[i] as number;
    terms[i] = (o - e) ** 2 / e;
  }
  const statistic = npSum(terms);
  return { statistic, pValue: chi2Sf(statistic, k - 1 - ddof) };
}

/**
 * Evidently's `chisquare` stattest: category counts of the current sample
 * against the reference proportions scaled to the current size.
 */
export function chiSquare(reference: ArrayLike<Value>, current: ArrayLike<Value>): TestResult {
  requireNonEmpty(reference, 'reference');
  requireNonEmpty(current, 'current');
  const refCounts = categoryCounts(reference);
  const curCounts = categoryCounts(current);
  const keys = unionKeys(refCounts, curCounts);
  const kNorm = current.length / reference.length;
  const fExp = Float64Array.from(keys, (k) => (refCounts.get(k) ?? 0) * kNorm);
  const fObs = Float64Array.from(keys, (k) => curCounts.get(k) ?? 0);
  return chisquareFrequencies(fObs, fExp);
}

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Evidently's `z` stattest: two-sided z-test for the difference of two
 * proportions (the first category in sorted order against the rest),
 * p = 2 * (1 - Phi(|z|)). Both samples holding the same single value give p = 1.
 */
export function zTestProportions(reference: ArrayLike<Value>, current: ArrayLike<Value>): TestResult {
  requireNonEmpty(reference, 'reference');
  requireNonEmpty(current, 'current');
  const refCounts = categoryCounts(reference);
  const curCounts = categoryCounts(current);
  if (refCounts.size === 1 && curCounts.size === 1 && [...refCounts.keys()][0] === [...curCounts.keys()][0]) {
    return { statistic: 0, pValue: 1 };
  }
  const keys = unionKeys(refCounts, curCounts).sort(compareValues);
  const key = keys[0] as Value;
  const n1 = reference.length;
  const n2 = current.length;
  // Evidently maps the first key to 0 and everything else to 1.
  const p1 = (n1 - (refCounts.get(key) ?? 0)) / n1;
  const p2 = (n2 - (curCounts.get(key) ?? 0)) / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
  return { statistic: z, pValue: 2 * (1 - ndtr(Math.abs(z))) };
}
