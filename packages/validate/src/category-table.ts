/**
 * Which declared category a CSV field equals, found without making the
 * field's string (a Set would need one per field): a hash of the field's
 * characters picks a slot of an open-addressing table, and only a field with
 * that hash and length is compared character by character.
 */
export class CategoryTable {
  private readonly mask: number;
  private readonly hashes: Int32Array;
  private readonly values: (string | undefined)[];
  private readonly longest: number;

  constructor(categories: Iterable<string>) {
    const list = [...new Set(categories)];
    let size = 16;
    while (size < list.length * 4) size *= 2;
    this.mask = size - 1;
    this.hashes = new Int32Array(size);
    this.values = new Array<string | undefined>(size).fill(undefined);
    this.longest = 0;
    for (const category of list) {
      const hash = CategoryTable.hash(category, 0, category.length);
      let slot = hash & this.mask;
      while (this.values[slot] !== undefined) slot = (slot + 1) & this.mask;
      this.hashes[slot] = hash;
      this.values[slot] = category;
      if (category.length > this.longest) this.longest = category.length;
    }
  }

  private static hash(text: string, start: number, end: number): number {
    let hash = end - start;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    return hash ^ (hash >>> 15);
  }

  /** Slots run from 0 to this, exclusive. */
  get slots(): number {
    return this.values.length;
  }

  /** The category in a slot `slotOf` returned. */
  at(slot: number): string {
    return this.values[slot]!;
  }

  /** The category equal to `text.slice(start, end)`, or undefined. */
  find(text: string, start: number, end: number): string | undefined {
    const slot = this.slotOf(text, start, end);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** The slot of the category equal to `text.slice(start, end)`, or -1. */
  slotOf(text: string, start: number, end: number): number {
    const length = end - start;
    if (length > this.longest) return -1;
    const hash = CategoryTable.hash(text, start, end);
    let slot = hash & this.mask;
    for (;;) {
      const category = this.values[slot];
      if (category === undefined) return -1;
      if (this.hashes[slot] === hash && category.length === length) {
        let i = 0;
        while (i < length && category.charCodeAt(i) === text.charCodeAt(start + i)) i++;
        if (i === length) return slot;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}
