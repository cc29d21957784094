/**
 * Summation exactly as numpy's `np.sum` / `np.mean` of a contiguous float64
 * array: pairwise summation (8 accumulators, blocks of 128) inside buffers of
 * 8192 elements that are added one after another. Using the same order makes
 * results bit-identical to scikit-learn in the common case instead of merely
 * close.
 */
const BUFFER = 8192;

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const p = start + i;
      r0 += a[p]!;
      r1 += a[p + 1]!;
      r2 += a[p + 2]!;
      r3 += a[p + 3]!;
      r4 += a[p + 4]!;
      r5 += a[p + 5]!;
      r6 += a[p + 6]!;
      r7 += a[p + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** `np.sum(a)` for a 1-D float64 array. */
export function npSum(a: ArrayLike<number>): number {
  const n = a.length;
  let res = 0;
  for (let s = 0; s < n; s += BUFFER) res += pairwise(a, s, Math.min(BUFFER, n - s));
  return res;
}

/** `np.mean(a)`. */
export function npMean(a: ArrayLike<number>): number {
  return npSum(a) / a.length;
}

/** `np.average(a, weights=w)`: sum(a * w) / sum(w). */
export function npWeightedAverage(a: ArrayLike<number>, w: ArrayLike<number>): number {
  const prod = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) prod[i] = a[i]! * w[i]!;
  return npSum(prod) / npSum(w);
}
