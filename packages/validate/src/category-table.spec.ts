import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CategoryTable } from './category-table';
import type { DatasetSpec } from './spec';
import { validateDataset } from './validate';
import { seededRandom } from '../../../tools/test-support/src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-category-table-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

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

describe('label counts of a CSV label column with categories', () => {
  it(`equal those of the same rows as JSON Lines, up to and past the 10,000-class cap (seed ${SEED})`, async () => {
    const random = seededRandom(SEED + 1);
    const spec: DatasetSpec = {
      columns: { label: { type: 'string', categories: ['cat', 'dog', 'emu'] } },
      label: { column: 'label', balance: { minShare: 0.01, maxShare: 0.9 } },
      severity: { rules: { category: 'off' } },
    };
    for (const others of [50, 12_000]) {
      // `emu` first appears after the other values: past the cap when there are 12,000 of them.
      const labels: string[] = [];
      for (let i = 0; i < 3000; i++) labels.push(random() < 0.6 ? 'cat' : 'dog');
      for (let i = 0; i < others; i++) labels.push(`other-${i}`);
      for (let i = 0; i < 200; i++) labels.push(random() < 0.5 ? 'emu' : 'cat');
      const csv = path.join(tmp, `labels-${others}.csv`);
      const jsonl = path.join(tmp, `labels-${others}.jsonl`);
      fs.writeFileSync(csv, `label\n${labels.join('\n')}\n`);
      fs.writeFileSync(jsonl, labels.map((label) => JSON.stringify({ label })).join('\n') + '\n');
      const fromCsv = await validateDataset(csv, spec, { ranges: 1 });
      const fromJsonl = await validateDataset(jsonl, spec);
      expect(fromCsv.classes).toEqual(fromJsonl.classes);
      expect(fromCsv.violations).toEqual(fromJsonl.violations);
      expect(fromCsv.classes!.cat).toBe(labels.filter((label) => label === 'cat').length);
      if (others > 10_000) {
        expect(fromCsv.classes!.emu).toBe(0);
        expect(fromCsv.violations).toEqual([
          expect.objectContaining({ rule: 'balance', message: expect.stringContaining('10000 or more') }),
        ]);
      } else {
        expect(fromCsv.classes!.emu).toBe(labels.filter((label) => label === 'emu').length);
      }
    }
  });
});
