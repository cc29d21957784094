/**
 * First Wasserstein distance between two 1-D empirical distributions, as
 * scipy 1.10.1's `scipy.stats.wasserstein_distance` (`_cdf_distance` with
 * p = 1), and Evidently's reference-std–normalized variant.
 */
import { driftError } from './errors';
import { populationStd, toSortedFinite } from './sample';

export function wasserstein(
  uValues: ArrayLike<number>,
  vValues: ArrayLike<number>,
  uWeights?: ArrayLike<number> | null,
  vWeights?: ArrayLike<number> | null,
): number {
  return cdfDistance(1, uValues, vValues, uWeights, vWeights);
}

/** scipy.stats.energy_distance: sqrt(2) times the L2 distance between the two empirical CDFs. */
export function energyDistance(
  uValues: ArrayLike<number>,
  vValues: ArrayLike<number>,
  uWeights?: ArrayLike<number> | null,
  vWeights?: ArrayLike<number> | null,
): number {
  return Math.SQRT2 * cdfDistance(2, uValues, vValues, uWeights, vWeights);
}

/** scipy's `_cdf_distance` for p = 1 (summed with compensation) and p = 2. */
function cdfDistance(
  p: 1 | 2,
  uValues: ArrayLike<number>,
  vValues: ArrayLike<number>,
  uWeights?: ArrayLike<number> | null,
  vWeights?: ArrayLike<number> | null,
): number {
  const u = sortedWithCumulativeWeights(uValues, uWeights, 'u');
  const v = sortedWithCumulativeWeights(vValues, vWeights, 'v');
  const nu = u.values.length;
  const nv = v.values.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let comp = 0;
  const add = (term: number): void => {
    const t = sum + term;
    if (Math.abs(sum) >= Math.abs(term)) comp += sum - t + term;
    else comp += term - t + sum;
    sum = t;
  };
  // Walk the distinct values of the merged sample; within a run of equal
  // values the deltas are 0 (or NaN for a run of infinities, as in numpy).
  let first = true;
  let prev = 0;
  let prevU = 0;
  let prevV = 0;
  while (i < nu || j < nv) {
    const x =
      i >= nu
        ? (v.values[j] as number)
        : j >= nv
          ? (u.values[i] as number)
          : Math.min(u.values[i] as number, v.values[j] as number);
    let run = 0;
    while (i < nu && (u.values[i] as number) <= x) {
      i++;
      run++;
    }
    while (j < nv && (v.values[j] as number) <= x) {
      j++;
      run++;
    }
    if (!first) add((p === 1 ? Math.abs(prevU - prevV) : (prevU - prevV) ** 2) * (x - prev));
    if (run > 1 && !Number.isFinite(x)) add(NaN);
    first = false;
    prev = x;
    prevU = u.cdf(i);
    prevV = v.cdf(j);
  }
  const total = Number.isFinite(sum) ? sum + comp : sum;
  return p === 1 ? total : Math.sqrt(total);
}

interface SortedDistribution {
  values: Float64Array;
  /** CDF after the first `count` sorted values. */
  cdf(count: number): number;
}

function sortedWithCumulativeWeights(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | null | undefined,
  name: string,
): SortedDistribution {
  if (weights === undefined || weights === null) {
    const sorted = toSortedFinite(values, `${name}_values`, { allowInfinite: true });
    const n = sorted.length;
    return { values: sorted, cdf: (count) => count / n };
  }
  if (weights.length !== values.length) {
    throw driftError(
      'DRIFT_INVALID_WEIGHTS',
      `${name}_weights has ${weights.length} entries but ${name}_values has ${values.length}: they must match`,
      { sample: name },
    );
  }
  if (values.length === 0)
    throw driftError('DRIFT_EMPTY_SAMPLE', `${name}_values is empty`, { sample: name });
  const order = Array.from({ length: values.length }, (_, k) => k);
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    if (Number.isNaN(v))
      throw driftError('DRIFT_INVALID_VALUE', `${name}_values[${k}] is NaN`, {
        sample: name,
        index: k,
      });
    const w = weights[k] as number;
    if (!(w >= 0))
      throw driftError(
        'DRIFT_INVALID_WEIGHTS',
        `${name}_weights[${k}] is ${w}: weights must be non-negative`,
        { sample: name, index: k },
      );
  }
  order.sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  const sorted = new Float64Array(values.length);
  const cum = new Float64Array(values.length + 1);
  for (let k = 0; k < order.length; k++) {
    const idx = order[k] as number;
    sorted[k] = values[idx] as number;
    cum[k + 1] = (cum[k] as number) + (weights[idx] as number);
  }
  const total = cum[values.length] as number;
  if (!(total > 0 && Number.isFinite(total))) {
    throw driftError('DRIFT_INVALID_WEIGHTS', `${name}_weights must sum to a positive, finite number`, {
      sample: name,
    });
  }
  return { values: sorted, cdf: (count) => (cum[count] as number) / total };
}

/**
 * Evidently's `wasserstein` stattest: the Wasserstein distance divided by
 * max(np.std(reference), 0.001) (ddof = 0).
 */
export function wassersteinNormalized(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const distance = wasserstein(reference, current);
  const norm = Math.max(populationStd(reference), 0.001);
  return distance / norm;
}
