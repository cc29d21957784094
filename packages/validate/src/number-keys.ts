/**
 * `unique` on a numeric CSV column without hashing. A value written in
 * canonical decimal form (`0`, `-12`, `3.50`, `-0.0`: no `+`, no leading
 * zero, no exponent, at most 14 digits) maps one-to-one to an exact double,
 * its key: sign × (digits as an integer × 32 + digits after the point). So two
 * such texts are equal exactly when their keys are, and the text can be
 * written back from the key. Keys are stored by row in a Float64Array (a
 * sequential write, where the digest table of DigestSet costs a cache miss per
 * value) and the duplicates are found once at the end: none when the keys
 * arrived in increasing order (an id column, usually), else by one native sort
 * of a copy. Texts in any other form keep going to the DigestSet; the two
 * never hold equal texts, so together they find exactly the repeats that the
 * digest of the text alone finds. Uniqueness stays a matter of the text, as
 * for every other column: `1.0` and `1` differ.
 */

import { NOT_A_NUMBER } from './values';

/** A canonical number has at most 14 digits, so digits × 32 + 31 < 2^53 stays exact. */
const MAX_DIGITS = 14;
const DECIMALS = 32;

/**
 * The key of a field that passed the integer type check (`[+-]digits`) and
 * parsed to `value`, or NaN when its text is not canonical. Constant time.
 */
export function integerKey(text: string, start: number, end: number, value: number): number {
  const first = text.charCodeAt(start);
  let digits = end - start;
  if (first === 45) {
    if (text.charCodeAt(start + 1) === 48) return NOT_A_NUMBER; // -0, -07
    digits--;
  } else if (first === 43 || (first === 48 && digits > 1)) {
    return NOT_A_NUMBER; // +7, 07
  }
  return digits > MAX_DIGITS ? NOT_A_NUMBER : value * DECIMALS;
}

/** The key of `text.slice(start, end)` if it is a canonical decimal number, else NaN. */
export function numberKey(text: string, start: number, end: number): number {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  const integerStart = i;
  let mantissa = 0;
  for (; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
  }
  const integerDigits = i - integerStart;
  if (integerDigits === 0 || (integerDigits > 1 && text.charCodeAt(integerStart) === 48)) return NOT_A_NUMBER;
  let decimals = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46) return NOT_A_NUMBER;
    for (i++; i < end; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return NOT_A_NUMBER;
      mantissa = mantissa * 10 + digit;
      decimals++;
    }
    if (decimals === 0) return NOT_A_NUMBER; // 5.
  }
  if (integerDigits + decimals > MAX_DIGITS) return NOT_A_NUMBER;
  const key = mantissa * DECIMALS + decimals;
  // A bare -0 would share 0's key: it stays with the digests (-0.0 has a point, so key -1).
  return negative ? (key === 0 ? NOT_A_NUMBER : -key) : key;
}

/** The text a key was made from. */
export function keyText(key: number): string {
  const size = Math.abs(key);
  const decimals = size % DECIMALS;
  const digits = String((size - decimals) / DECIMALS);
  const sign = key < 0 ? '-' : '';
  if (decimals === 0) return sign + digits;
  const padded = digits.padStart(decimals + 1, '0');
  return `${sign}${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`;
}

/** True when two ascending, NaN-free key arrays share a key. */
export function sharesAnyKey(a: Float64Array | Uint32Array, b: Float64Array | Uint32Array): boolean {
  if (a.length === 0 || b.length === 0 || a[a.length - 1]! < b[0]! || b[b.length - 1]! < a[0]!) return false;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) return true;
    if (x < y) i++;
    else j++;
  }
  return false;
}

/**
 * Sorts 32-bit keys ascending: LSD radix sort, two passes of 16 bits, in
 * place of `keys` or a second array of its size (returned). About 6× faster
 * than `Float64Array.prototype.sort` on millions of keys.
 */
export function radixSort32(keys: Uint32Array): Uint32Array {
  let from: Uint32Array = keys;
  let to: Uint32Array = new Uint32Array(keys.length);
  const offsets = new Uint32Array(65_536);
  for (let shift = 0; shift < 32; shift += 16) {
    offsets.fill(0);
    for (let i = 0; i < from.length; i++) offsets[(from[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let bucket = 0; bucket < offsets.length; bucket++) {
      const count = offsets[bucket]!;
      offsets[bucket] = sum;
      sum += count;
    }
    for (let i = 0; i < from.length; i++) {
      const key = from[i]!;
      to[offsets[(key >>> shift) & 0xffff]!++] = key;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** A repeated key, in file order: the row (1-based in its part) and its line. */
export interface RepeatedKey {
  row: number;
  line: number;
  key: number;
}

export interface SettledKeys {
  /** Rows holding a key seen in an earlier row. */
  repeats: number;
  /** The first of them in row order, at most the limit asked for. */
  first: RepeatedKey[];
  /** Every key once, ascending. */
  sorted: Float64Array | Uint32Array;
}

export class NumberKeys {
  /** keys[row - 1]; NaN for a row without a key. */
  private keys = new Float64Array(1024).fill(NaN);
  private lastRow = 0;
  private last = -Infinity;
  private ascending = true;
  private count = 0;
  /** Some key is negative or above 2³² - 1: no radix sort. */
  private wide = false;
  /** `line - row` from each row where it changed (quoted line breaks, blank lines). */
  private readonly shiftRows: number[] = [0];
  private readonly shifts: number[] = [1];
  private shift = 1;

  add(key: number, row: number, line: number): void {
    if (row > this.keys.length) this.grow(row);
    this.keys[row - 1] = key;
    this.lastRow = row;
    this.count++;
    if (key < 0 || key > 0xffff_ffff) this.wide = true;
    if (key <= this.last) this.ascending = false;
    this.last = key;
    if (line - row !== this.shift) this.shiftTo(row, line - row);
  }

  private shiftTo(row: number, shift: number): void {
    this.shift = shift;
    this.shiftRows.push(row);
    this.shifts.push(shift);
  }

  private grow(row: number): void {
    let capacity = this.keys.length * 2;
    while (capacity < row) capacity *= 2;
    const keys = new Float64Array(capacity);
    keys.set(this.keys);
    keys.fill(NaN, this.keys.length);
    this.keys = keys;
  }

  private lineOf(row: number): number {
    let low = 0;
    let high = this.shiftRows.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.shiftRows[middle]! <= row) low = middle;
      else high = middle - 1;
    }
    return row + this.shifts[low]!;
  }

  /** Finds the repeats, keeping the first `limit` in row order. Call once, after the last row. */
  settle(limit: number): SettledKeys {
    const inRows = this.keys.subarray(0, this.lastRow);
    this.keys = new Float64Array(0);
    if (this.ascending) {
      // Strictly increasing keys repeat nothing and are sorted already once the gaps are closed.
      let count = 0;
      for (let i = 0; i < inRows.length; i++) {
        const key = inRows[i]!;
        if (key === key) inRows[count++] = key;
      }
      return { repeats: 0, first: [], sorted: inRows.subarray(0, count) };
    }
    let distinct: Float64Array | Uint32Array;
    if (this.wide) {
      distinct = inRows.slice().sort().subarray(0, this.count); // NaN (no key) sorts last
    } else {
      const narrow = new Uint32Array(this.count);
      let write = 0;
      for (let i = 0; i < inRows.length; i++) {
        const key = inRows[i]!;
        if (key === key) narrow[write++] = key;
      }
      distinct = radixSort32(narrow);
    }
    const repeatedKeys: number[] = [];
    let repeats = 0;
    let write = 0;
    for (let i = 0; i < distinct.length; i++) {
      const key = distinct[i]!;
      if (write > 0 && distinct[write - 1] === key) {
        repeats++;
        if (repeatedKeys[repeatedKeys.length - 1] !== key) repeatedKeys.push(key);
      } else {
        distinct[write++] = key;
      }
    }
    const first = repeats === 0 ? [] : this.firstRepeats(inRows, Float64Array.from(repeatedKeys), limit);
    return { repeats, first, sorted: distinct.subarray(0, write) };
  }

  /** The rows, in order, whose key is one of `repeated` (ascending) and was seen in an earlier row. */
  private firstRepeats(inRows: Float64Array, repeated: Float64Array, limit: number): RepeatedKey[] {
    const seen = new Uint8Array(repeated.length);
    const lowest = repeated[0]!;
    const highest = repeated[repeated.length - 1]!;
    const first: RepeatedKey[] = [];
    for (let i = 0; i < inRows.length && first.length < limit; i++) {
      const key = inRows[i]!;
      if (!(key >= lowest && key <= highest)) continue;
      let low = 0;
      let high = repeated.length - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (repeated[middle]! < key) low = middle + 1;
        else high = middle;
      }
      if (repeated[low] !== key) continue;
      if (seen[low] === 1) first.push({ row: i + 1, line: this.lineOf(i + 1), key });
      else seen[low] = 1;
    }
    return first;
  }
}
