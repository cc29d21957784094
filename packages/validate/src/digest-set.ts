/**
 * Uniqueness over data larger than memory: each value is reduced to a 64-bit
 * digest (two 32-bit lanes, cyrb53-style mixing, non-cryptographic) kept in an
 * open-addressing table of 32-bit pairs. Cost: 8 bytes per slot, at most 75 %
 * full, so 10.7–21.3 bytes per distinct value (plus 1.5× while the table
 * doubles): 10 million distinct values take ~170 MB at the peak of a resize.
 * Two different values share a digest with probability ≈ n² / 2⁶⁵ (10⁷ values:
 * ~3·10⁻⁶), which would report one false duplicate.
 */
/** A DigestSet as plain data, for passing between threads (the table's buffer can be transferred). */
export interface DigestTable {
  table: Int32Array;
  count: number;
}

export class DigestSet {
  private table: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.table = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  static fromTable({ table, count }: DigestTable): DigestSet {
    const set = new DigestSet(16);
    set.table = table;
    set.mask = table.length / 2 - 1;
    set.count = count;
    return set;
  }

  toTable(): DigestTable {
    return { table: this.table, count: this.count };
  }

  /** True when some digest of `other` is also in this set. */
  sharesAnyWith(other: DigestTable): boolean {
    const table = other.table;
    for (let at = 0; at < table.length; at += 2) {
      const lo = table[at + 1]!;
      if (lo !== 0 && this.has(table[at]!, lo)) return true;
    }
    return false;
  }

  private has(hi: number, lo: number): boolean {
    const table = this.table;
    const mask = this.mask;
    let slot = (hi ^ lo) & mask;
    for (;;) {
      const at = slot * 2;
      const storedLo = table[at + 1]!;
      if (storedLo === 0) return false;
      if (storedLo === lo && table[at] === hi) return true;
      slot = (slot + 1) & mask;
    }
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Adds the value; false when an equal digest was already present (a duplicate). */
  add(value: string): boolean {
    return this.addRange(value, 0, value.length);
  }

  /** Adds `text.slice(start, end)` without making that string. */
  addRange(text: string, start: number, end: number): boolean {
    const length = end - start;
    let h1 = 0xdeadbeef ^ length;
    let h2 = 0x41c6ce57 ^ length;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    // Kept as signed 32-bit (small integers for V8); (x, 0) marks an empty slot.
    return this.insert(h1 | 0, h2 | 0 || 1);
  }

  private insert(hi: number, lo: number): boolean {
    const table = this.table;
    const mask = this.mask;
    let slot = (hi ^ lo) & mask;
    for (;;) {
      const at = slot * 2;
      const storedLo = table[at + 1]!;
      if (storedLo === 0) {
        table[at] = hi;
        table[at + 1] = lo;
        if (++this.count * 4 > (mask + 1) * 3) this.grow();
        return true;
      }
      if (storedLo === lo && table[at] === hi) return false;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length / 2 - 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] !== 0) this.insert(old[at]!, old[at + 1]!);
    }
  }
}
