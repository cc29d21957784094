/**
 * Ascending sort of finite float64 values. Large arrays use an LSD radix sort
 * on the IEEE-754 bit patterns (4 passes of 16 bits; negative numbers have all
 * bits flipped, non-negative ones their sign bit set, which makes unsigned
 * integer order equal numeric order). On a million scores this is several
 * times faster than V8's comparison-based TypedArray sort; small arrays use
 * the native sort. -0 sorts just before +0 (they compare equal anyway).
 */
const RADIX_MIN = 2048;

export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  let src: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let dst: Uint32Array = new Uint32Array(n * 2);
  // to sortable keys (little-endian: [2i] = low word, [2i + 1] = high word)
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1]!;
    if (hi & 0x80000000) {
      src[2 * i] = ~src[2 * i]! >>> 0;
      src[2 * i + 1] = ~hi >>> 0;
    } else {
      src[2 * i + 1] = (hi | 0x80000000) >>> 0;
    }
  }
  const counts = new Uint32Array(4 * 65536);
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!;
    const hi = src[2 * i + 1]!;
    counts[lo & 0xffff]!++;
    counts[65536 + (lo >>> 16)]!++;
    counts[131072 + (hi & 0xffff)]!++;
    counts[196608 + (hi >>> 16)]!++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    // a digit shared by every value orders nothing: skip the pass
    let trivial = false;
    for (let d = 0; d < 65536; d++) {
      const c = counts[base + d]!;
      if (c === n) trivial = true;
      if (c !== 0) break;
    }
    if (trivial) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[base + d]!;
      counts[base + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!;
      const hi = src[2 * i + 1]!;
      const digit = ((word === 0 ? lo : hi) >>> shift) & 0xffff;
      const j = counts[base + digit]!++;
      dst[2 * j] = lo;
      dst[2 * j + 1] = hi;
    }
    const tmp = src;
    src = dst;
    dst = tmp;
  }
  // back from keys to float64 bit patterns, into `values`
  const out = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1]!;
    if (hi & 0x80000000) {
      out[2 * i] = src[2 * i]!;
      out[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    } else {
      out[2 * i] = ~src[2 * i]! >>> 0;
      out[2 * i + 1] = ~hi >>> 0;
    }
  }
  return values;
}
