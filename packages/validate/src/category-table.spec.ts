import { describe, expect, it } from 'vitest';
import { CategoryTable } from './category-table';
import { seededRandom } from '../../../tools/test-support/src';

const SEED = Number(process.env.CAIRN_TEST_SEED ?? 20261216);

describe('CategoryTable', () => {
  it(`finds exactly the fields a Set holds, read in place (seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    const alphabet = ['a', 'b', 'A', ' ', 'é', '中', '😀', ','];
    const word = (max: number) => {
      let text = '';
      const length = Math.floor(random() * max);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      return text;
    };
    for (const count of [1, 3, 20, 300]) {
      const categories = Array.from({ length: count }, () => word(6));
      const table = new CategoryTable(categories);
      const set = new Set(categories);
      for (let n = 0; n < 5000; n++) {
        const field = random() < 0.5 ? categories[Math.floor(random() * count)]! : word(8);
        const before = word(3);
        const text = `${before}${field}${word(3)}`;
        const found = table.find(text, before.length, before.length + field.length);
        expect(found, JSON.stringify(field)).toBe(set.has(field) ? field : undefined);
      }
    }
  });

  it('tells prefixes, the empty category and longer fields apart', () => {
    const table = new CategoryTable(['ab', 'abc', '', 'b']);
    expect(table.find('xabcx', 1, 3)).toBe('ab');
    expect(table.find('xabcx', 1, 4)).toBe('abc');
    expect(table.find('xabcx', 1, 1)).toBe('');
    expect(table.find('xabcx', 1, 5)).toBeUndefined();
    expect(table.find('abd', 0, 3)).toBeUndefined();
  });
});
