import { driftError } from './errors';

/** Copies a numeric sample into a sorted Float64Array, rejecting NaN (and ±Infinity unless allowed). */
export function toSortedFinite(
  values: ArrayLike<number>,
  name: string,
  options: { allowInfinite?: boolean } = {},
): Float64Array {
  const out = Float64Array.from(values);
  if (out.length === 0)
    throw driftError('DRIFT_EMPTY_SAMPLE', `${name} is empty: a drift test needs at least one value`, {
      sample: name,
    });
  for (let i = 0; i < out.length; i++) {
    const v = out[i] as number;
    if (Number.isNaN(v) || (!options.allowInfinite && !Number.isFinite(v))) {
      throw driftError('DRIFT_INVALID_VALUE', `${name}[${i}] is ${String(v)}: expected a finite number`, {
        sample: name,
        index: i,
      });
    }
  }
  sortFloat64(out);
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

/**
 * Sorts a Float64Array ascending in place (NaN-free input). Large arrays use
 * an LSD radix sort on the IEEE-754 bit patterns (4 passes of 16 bits), which
 * is several times faster than TypedArray.prototype.sort in V8.
 */
export function sortFloat64(values: Float64Array): void {
  const n = values.length;
  if (n < 4096) {
    values.sort();
    return;
  }
  let src: Float64Array = values;
  let dst: Float64Array = new Float64Array(n);
  let srcBits: Uint32Array = new Uint32Array(src.buffer, src.byteOffset, n * 2);
  let dstBits: Uint32Array = new Uint32Array(dst.buffer, dst.byteOffset, n * 2);
  const lowWord = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
  const highWord = 1 - lowWord;
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    counts.fill(0);
    const word = pass < 2 ? lowWord : highWord;
    const shift = (pass & 1) * 16;
    for (let i = 0; i < n; i++) {
      const hi = srcBits[2 * i + highWord] as number;
      // Map the bits so that unsigned order is numeric order: flip everything
      // for negatives, only the sign bit for positives.
      const flip = word === highWord ? (hi >> 31) | 0x80000000 : hi >> 31;
      const key = ((srcBits[2 * i + word] as number) ^ flip) >>> 0;
      const digit = (key >>> shift) & 0xffff;
      counts[digit] = (counts[digit] as number) + 1;
    }
    if ((counts[0] as number) === n || counts.includes(n)) continue;
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d] as number;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const hi = srcBits[2 * i + highWord] as number;
      const flip = word === highWord ? (hi >> 31) | 0x80000000 : hi >> 31;
      const key = ((srcBits[2 * i + word] as number) ^ flip) >>> 0;
      const digit = (key >>> shift) & 0xffff;
      const at = counts[digit] as number;
      counts[digit] = at + 1;
      dst[at] = src[i] as number;
    }
    [src, dst] = [dst, src];
    [srcBits, dstBits] = [dstBits, srcBits];
  }
  if (src !== values) values.set(src);
}
