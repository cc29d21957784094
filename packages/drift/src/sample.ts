import { DriftErrorCode, driftError } from './errors';

/** Copies a numeric sample into a sorted Float64Array, rejecting NaN (and ±Infinity unless allowed). */
export function toSortedFinite(
  values: ArrayLike<number>,
  name: string,
  options: { allowInfinite?: boolean } = {},
): Float64Array {
  const out = Float64Array.from(values);
  if (out.length === 0)
    throw driftError(DriftErrorCode.EmptySample, `${name} is empty: a drift test needs at least one value`, {
      sample: name,
    });
  for (let i = 0; i < out.length; i++) {
    const v = out[i] as number;
    if (Number.isNaN(v) || (!options.allowInfinite && !Number.isFinite(v))) {
      throw driftError(
        DriftErrorCode.InvalidValue,
        `${name}[${i}] is ${String(v)}: expected a finite number`,
        { sample: name, index: i },
      );
    }
  }
  out.sort();
  return out;
}

/** Compensated (Neumaier) sum: at least as accurate as numpy's pairwise sum. */
export function accurateSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return sum + c;
}

/** numpy.std(values) (ddof = 0). */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  const mean = accurateSum(values) / n;
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    const v = d * d;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return Math.sqrt((sum + c) / n);
}
