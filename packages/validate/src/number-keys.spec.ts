import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvTokenizer, recordFields } from '@cairn/table';
import { DatasetChecker, type ValidationReport } from './checker';
import { validateInRanges } from './csv-ranges';
import { integerKey, keyText, numberKey, radixSort32, sharesAnyKey } from './number-keys';
import type { DatasetSpec } from './spec';
import { validateDataset } from './validate';
import { isIntegerText, parseNumberText } from './values';
import { seededRandom } from '../../../tools/test-support/src';

const SEED = Number(process.env.CAIRN_TEST_SEED ?? 20261215);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-number-keys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The key a checked field gets: integerKey for integer columns, numberKey for number columns. */
function keyOf(text: string, type: 'integer' | 'number'): number {
  if (type === 'number') return numberKey(text, 0, text.length);
  return isIntegerText(text) ? integerKey(text, 0, text.length, parseNumberText(text)) : NaN;
}

describe('number keys', () => {
  it('key canonical numbers only, one key per text (1 and 1.0 differ, -0 stays with the digests)', () => {
    const canonical = ['0', '7', '-7', '12', '99999999999999', '-99999999999999'];
    for (const text of canonical) {
      expect(keyOf(text, 'integer'), text).toBe(Number(text) * 32);
      expect(keyOf(text, 'number'), text).toBe(Number(text) * 32);
    }
    for (const text of ['-0', '07', '-07', '+7', '00', '999999999999999']) {
      expect(keyOf(text, 'integer'), text).toBeNaN();
      expect(keyOf(text, 'number'), text).toBeNaN();
    }
    for (const text of ['.5', '5.', '+1.5', '01.5', '1e3', '1.5e1', '1.2.3', '-.5', '123456789012.345'])
      expect(keyOf(text, 'number'), text).toBeNaN();
    const decimals = ['1.0', '1.00', '1', '0.0', '-0.0', '0.05', '0.5', '10.5', '1.05', '-3.25', '3.25'];
    const keys = decimals.map((text) => keyOf(text, 'number'));
    expect(new Set(keys).size).toBe(decimals.length);
    for (const [i, text] of decimals.entries()) expect(keyText(keys[i]!)).toBe(text);
    expect(keyOf('-0.0', 'number')).toBe(-1);
    expect(Object.is(keyOf('0', 'number'), 0)).toBe(true);
  });

  it(`map random canonical texts one to one and back (seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    const byKey = new Map<number, string>();
    for (let i = 0; i < 20_000; i++) {
      const integerDigits = 1 + Math.floor(random() * 7);
      let text = String(1 + Math.floor(random() * 9)).slice(0, 1);
      for (let d = 1; d < integerDigits; d++) text += String(Math.floor(random() * 10));
      if (random() < 0.2) text = '0';
      if (random() < 0.6) {
        text += '.';
        const decimals = 1 + Math.floor(random() * 6);
        for (let d = 0; d < decimals; d++) text += String(Math.floor(random() * 10));
      }
      if (random() < 0.4) text = `-${text}`;
      if (text === '-0') continue; // not canonical: checked above
      const key = keyOf(text, 'number');
      expect(key, text).not.toBeNaN();
      expect(keyText(key)).toBe(text);
      const earlier = byKey.get(key);
      if (earlier !== undefined) expect(earlier).toBe(text);
      byKey.set(key, text);
    }
  });

  it(`radix-sort 32-bit keys as the native sort does (seed ${SEED})`, () => {
    const random = seededRandom(SEED + 3);
    for (const size of [0, 1, 7, 100_000]) {
      const keys = Uint32Array.from({ length: size }, () =>
        random() < 0.1 ? pick(random, [0, 0xffff_ffff, 65_535, 65_536]) : Math.floor(random() * 2 ** 32),
      );
      expect(radixSort32(keys.slice())).toEqual(keys.slice().sort());
    }
  });

  it('find shared keys between sorted arrays exactly', () => {
    const a = Float64Array.from([1, 5, 9, 40]);
    expect(sharesAnyKey(a, Float64Array.from([2, 6, 41]))).toBe(false);
    expect(sharesAnyKey(a, Float64Array.from([2, 9]))).toBe(true);
    expect(sharesAnyKey(a, Float64Array.from([41, 50]))).toBe(false);
    expect(sharesAnyKey(a, new Float64Array(0))).toBe(false);
  });
});

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const SPEC: DatasetSpec = {
  columns: {
    id: { type: 'integer', unique: true },
    x: { type: 'number', unique: true, min: 0, max: 50 },
    n: { type: 'integer', min: 0, max: 90 },
    s: { type: 'string', categories: ['a', 'b'] },
    note: { type: 'string', maxLength: 40 },
  },
  key: ['s', 'n'],
  pii: { columns: ['note'], severity: 'warning' },
};
const WITH_ROW_SCHEMA: DatasetSpec = {
  ...SPEC,
  severity: { rules: { unique: 'warning' } },
  rowSchema: { properties: { n: { maximum: 80 } } },
};

/** Numbers in forms that are and are not canonical, equal as numbers but not as texts. */
const X_POOL = ['1', '1.0', '1.00', '01.0', '-0.0', '0.0', '0', '-0', '2.5', '2.50', '+2.5', '.5', '0.5'];
const ID_POOL = ['0', '-0', '+3', '03', '3', '', 'x', '12345678901234567'];

/**
 * A CSV whose numeric unique columns repeat values in canonical and other
 * forms, between violations of other rules (so repeats must be placed among
 * them), with blank lines and quoted line breaks (lines ≠ rows).
 */
function generate(
  random: () => number,
  rows: number,
  order: 'random' | 'increasing' | 'halves',
  lineBreaks: boolean,
): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const lines = ['id,x,n,s,note'];
  for (let row = 1; row <= rows; row++) {
    let id: string;
    if (order === 'increasing') id = String(row * 3 + (random() < 0.1 ? 1 : 0));
    else if (order === 'halves') {
      // Repeats within each half, none across a cut near the middle.
      const share = row / rows;
      const within = Math.floor(random() * rows * 0.3);
      id = String(share <= 0.45 ? within : share <= 0.55 ? 1_000_000 + row : 2_000_000 + within);
    } else id = random() < 0.1 ? pick(ID_POOL) : String(Math.floor(random() * rows * 2) - 20);
    const x =
      random() < 0.3
        ? pick(X_POOL)
        : (random() * 60).toFixed(Math.floor(random() * 3) + (random() < 0.5 ? 0 : 1));
    const n = String(Math.floor(random() * 100));
    const s = random() < 0.95 ? pick(['a', 'b']) : 'c';
    let note = pick(['fine', 'late again', 'mail ann@example.com', 'call +33 6 12 34 56 78', '']);
    if (lineBreaks && random() < 0.05) note = `"two\nlines"`;
    lines.push([id, x, n, s, note].join(','));
    if (lineBreaks && random() < 0.03) lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function checkText(content: string, spec: DatasetSpec, maxViolations: number, numberKeys: boolean): string {
  const checker = new DatasetChecker(spec, maxViolations, { numberKeys });
  let header = true;
  const tokenizer = new CsvTokenizer((text, starts, ends, count, line) => {
    if (header) checker.setHeader(recordFields(text, starts, ends, count));
    else checker.textRow(text, starts, ends, count, line);
    header = false;
  });
  tokenizer.push(content);
  tokenizer.end();
  const { durationMs, ...report } = checker.finish('data.csv', 'csv', content.length, 0);
  expect(durationMs).toBeGreaterThanOrEqual(0);
  // A string: the report must match to the order of its keys, not only in content.
  return JSON.stringify(report);
}

describe('unique on numeric CSV columns by number keys', () => {
  it(`reports what the digest table reports, byte for byte (seed ${SEED})`, () => {
    const random = seededRandom(SEED + 1);
    let repeatsSeen = 0;
    // random: negative ids (keys sorted as doubles); halves: radix-sorted keys; increasing: no sort.
    for (const order of ['random', 'halves', 'increasing'] as const) {
      for (const lineBreaks of [false, true]) {
        const content = generate(random, 1500, order, lineBreaks);
        for (const spec of [SPEC, WITH_ROW_SCHEMA]) {
          for (const maxViolations of [0, 1, 6, 60, 100_000]) {
            const keyed = checkText(content, spec, maxViolations, true);
            expect(keyed).toBe(checkText(content, spec, maxViolations, false));
            const report = JSON.parse(keyed) as ValidationReport;
            repeatsSeen += report.summary.unique ?? 0;
          }
        }
      }
    }
    expect(repeatsSeen).toBeGreaterThan(100);
  });

  it('places repeats among other violations, on the line the row starts', () => {
    const content = 'id,x,n,s,note\n5,1.0,1,a,\n5,1,95,a,"x\ny"\n\n5,1.0,2,c,\n07,1,3,a,\n';
    const report = JSON.parse(checkText(content, SPEC, 100, true)) as ValidationReport;
    expect(report.violations.map((v) => [v.rule, v.row, v.line, v.column, v.value])).toEqual([
      ['unique', 2, 3, 'id', '5'],
      ['range', 2, 3, 'n', 95],
      ['unique', 3, 6, 'id', '5'],
      ['unique', 3, 6, 'x', '1.0'],
      ['category', 3, 6, 's', 'c'],
      ['unique', 4, 7, 'x', '1'],
    ]);
    expect(Object.keys(report.summary)).toEqual(['unique', 'range', 'category']);
    expect(report.errors).toBe(6);
    // A repeated column name: each of its columns keeps its own place in the row.
    const twice = 'id,n,id\n1,9,x\n1,9,1\n2,1,1\n2,9,y\nz,9,3\n';
    const twiceSpec: DatasetSpec = {
      columns: { id: { type: 'integer', unique: true }, n: { type: 'integer', max: 5 } },
    };
    const keyedTwice = checkText(twice, twiceSpec, 100, true);
    expect(keyedTwice).toBe(checkText(twice, twiceSpec, 100, false));
    expect(
      (JSON.parse(keyedTwice) as ValidationReport).violations.map((v) => [v.rule, v.row, v.column]),
    ).toEqual([
      ['format', undefined, undefined],
      ['range', 1, 'n'],
      ['type', 1, 'id'],
      ['unique', 2, 'id'],
      ['range', 2, 'n'],
      ['unique', 3, 'id'],
      ['unique', 4, 'id'],
      ['range', 4, 'n'],
      ['type', 4, 'id'],
      ['type', 5, 'id'],
      ['range', 5, 'n'],
    ]);
    // Repeats alone can fill the report: truncated as one pass would say.
    const spec: DatasetSpec = { columns: { id: { type: 'integer', unique: true } } };
    const repeats = 'id\n1\n1\n1\n2\n';
    const truncated = JSON.parse(checkText(repeats, spec, 1, true)) as ValidationReport;
    expect(truncated).toMatchObject({ errors: 2, truncated: true, summary: { unique: 2 } });
    expect(truncated.violations.map((v) => v.row)).toEqual([2]);
    expect(checkText(repeats, spec, 1, false)).toBe(JSON.stringify(truncated));
  });

  it(`merges ranges exactly, and reads again in one pass only when a text repeats across them (seed ${SEED})`, async () => {
    const random = seededRandom(SEED + 2);
    const content = generate(random, 3000, 'halves', false);
    const file = path.join(tmp, 'halves.csv');
    fs.writeFileSync(file, content);
    // Only the id must be unique: keys and x values repeat all over the file.
    const { key, ...keyless } = SPEC;
    expect(key).toBeDefined();
    const idOnly: DatasetSpec = {
      ...keyless,
      columns: { ...SPEC.columns, x: { type: 'number', min: 0, max: 50 } },
    };
    for (const maxViolations of [40, 100_000]) {
      const single = await validateDataset(file, idOnly, { ranges: 1, maxViolations });
      expect(single.summary.unique).toBeGreaterThan(100);
      const parallel = await validateInRanges(
        file,
        content.length,
        idOnly,
        ',',
        { maxViolations, parts: 2 },
        0,
      );
      expect(parallel).toBeDefined();
      expect(JSON.stringify({ ...parallel, durationMs: 0 })).toBe(
        JSON.stringify({ ...single, durationMs: 0 }),
      );
    }
    // Increasing ids: 7 in the first range and 07 (another text) in the last do not repeat.
    const spec: DatasetSpec = { columns: { id: { type: 'integer', unique: true } } };
    const rows = Array.from({ length: 400 }, (_, i) => String(i + 10));
    const apart = path.join(tmp, 'apart.csv');
    const apartText = `id\n7\n${rows.join('\n')}\n07\n`;
    fs.writeFileSync(apart, apartText);
    const merged = await validateInRanges(
      apart,
      apartText.length,
      spec,
      ',',
      { maxViolations: 10, parts: 2 },
      0,
    );
    expect(merged).toMatchObject({ rows: 402, errors: 0 });
    const across = path.join(tmp, 'across.csv');
    const acrossText = `id\n7\n${rows.join('\n')}\n7\n`;
    fs.writeFileSync(across, acrossText);
    expect(
      await validateInRanges(across, acrossText.length, spec, ',', { maxViolations: 10, parts: 2 }, 0),
    ).toBeUndefined();
    const report = await validateDataset(across, spec, { ranges: 2 });
    expect(report.violations).toEqual([
      expect.objectContaining({ rule: 'unique', row: 402, line: 403, value: '7' }),
    ]);
  });
});
