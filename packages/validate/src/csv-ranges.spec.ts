import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRanges } from '@cairn/table';
import { validateInRanges } from './csv-ranges';
import type { DatasetSpec } from './spec';
import { validateDataset, type ValidationReport } from './validate';
import { seededRandom } from '../../../tools/test-support/src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-ranges-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SEED = Number(process.env.CAIRN_TEST_SEED ?? 20261201);

const CITIES = ['Paris', 'Berlin', 'New, York', 'Oslo'];
const NAMES = ['Ann', 'Bob', 'Cy', 'Dee', 'Élodie', 'Fay'];

const SPEC: DatasetSpec = {
  columns: {
    id: { type: 'integer', unique: true, nullable: false, min: 1 },
    name: { type: 'string', maxLength: 8, pattern: '[A-Za-zÉé ]+' },
    age: { type: 'integer', min: 0, max: 120 },
    score: { type: 'number', min: 0, max: 1 },
    city: { type: 'string', categories: CITIES },
    joined: { type: 'date', min: '2000-01-01' },
    active: { type: 'boolean' },
    label: { type: 'string', nullable: false, categories: ['a', 'b', 'c'] },
    code: { type: 'string' },
    note: { type: 'string', maxLength: 60 },
    region: { type: 'string' }, // not in the files: a header violation, reported once
  },
  key: ['city', 'code'],
  rows: { min: 1 },
  label: { column: 'label', balance: { minShare: 0.3, maxShare: 0.36 } },
  pii: { columns: ['note'], severity: 'warning' },
};

interface Generated {
  content: Buffer;
  /** Byte spans of quoted fields holding a line break: a cut there is no record boundary. */
  quotedBreaks: [number, number][];
}

/**
 * A CSV with a BOM, CRLF or LF line ends, quoted fields holding commas, quotes
 * and line breaks, blank lines, and violations of every kind scattered over
 * the file. `cross` repeats an id or a key of the first rows near the end (so
 * across any cut); otherwise repeats stay within the first rows.
 */
function generate(random: () => number, rows: number, crlf: boolean, cross?: 'id' | 'key'): Generated {
  const eol = crlf ? '\r\n' : '\n';
  const pieces: string[] = [];
  const quotedBreaks: [number, number][] = [];
  let bytes = 3;
  const emit = (text: string) => {
    pieces.push(text);
    bytes += Buffer.byteLength(text);
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  emit(`id,name,age,score,city,joined,active,label,code,note${eol}`);
  for (let row = 1; row <= rows; row++) {
    let id = String(row);
    let code = `c${row}`;
    let city = pick(CITIES);
    if (row === 12) id = '11'; // a repeated id within the first rows
    if (row === 14) [city, code] = ['Oslo', 'k1'];
    if (row === 15) [city, code] = ['Oslo', 'k1']; // a repeated key within the first rows
    if (cross === 'id' && row === rows - 3) id = '2';
    if (cross === 'key' && row === rows - 5) [city, code] = ['Oslo', 'k1'];
    const error = row % 23 === 0 ? (row / 23) % 10 : -1; // every kind, all over the file
    const fields = [
      id,
      error === 0 ? 'Bartholomew' : error === 9 ? 'R2-D2' : pick(NAMES),
      error === 1 ? 'x7' : error === 2 ? '130' : String(Math.floor(random() * 90)),
      error === 3 ? '' : (random() * (error === 4 ? 3 : 1)).toFixed(3),
      city.includes(',') ? `"${city}"` : error === 5 ? 'Rome' : city,
      error === 6
        ? '2001-02-30'
        : `20${String(10 + Math.floor(random() * 15))}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      random() < 0.5 ? 'true' : 'False',
      error === 7 ? '' : pick(['a', 'b', 'c', 'a']),
      code,
    ];
    const kind = random();
    let note: string;
    if (kind < 0.05) note = `"mail ann${row}@example.com, ""soon""${eol}second line"`;
    else if (kind < 0.1) note = `"one${eol}two, three${eol}${eol}four"`;
    else if (kind < 0.13) note = 'call +33 6 12 34 56 78';
    else note = pick(['fine', 'late delivery', 'would buy again', '"quoted, plain"', '']);
    if (error === 8) fields.pop(); // a record with too few fields
    const start = bytes + fields.join(',').length + 1;
    emit(`${fields.join(',')},${note}${eol}`);
    if (note.includes('\n')) quotedBreaks.push([start, start + Buffer.byteLength(note)]);
    if (random() < 0.01) emit(eol); // a blank line
  }
  return {
    content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pieces.join(''))]),
    quotedBreaks,
  };
}

let counter = 0;
function write(content: Buffer | string): string {
  const target = path.join(tmp, `data-${++counter}.csv`);
  fs.writeFileSync(target, content);
  return target;
}

/** Everything but the time taken. */
function comparable(report: ValidationReport): Omit<ValidationReport, 'durationMs'> {
  const { durationMs, ...rest } = report;
  expect(durationMs).toBeGreaterThanOrEqual(0);
  return rest;
}

describe('CSV validation in ranges gives the one-pass report', () => {
  it(`merges 2, 3 and 4 ranges exactly (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    let merged = 0;
    for (const crlf of [false, true]) {
      for (const maxViolations of [1000, 7]) {
        const { content, quotedBreaks } = generate(random, 1500, crlf);
        const file = write(content);
        const single = await validateDataset(file, SPEC, { maxViolations, ranges: 1 });
        // The file holds what the ranges must merge: violations of every kind, PII, classes.
        expect(single.violations.length).toBe(maxViolations === 7 ? 7 : single.errors + single.warnings);
        expect(Object.keys(single.summary).sort()).toEqual(
          [
            'balance',
            'category',
            'column-missing',
            'format',
            'key',
            'length',
            'nullable',
            'pattern',
            'pii',
            'range',
            'type',
            'unique',
          ].sort(),
        );
        for (const parts of [2, 3, 4]) {
          const cuts = await csvRanges(file, content.length, parts);
          const cutInQuotes = cuts
            .slice(1)
            .some(({ start }) => quotedBreaks.some(([from, to]) => start > from && start < to));
          const parallel = await validateInRanges(
            file,
            content.length,
            SPEC,
            ',',
            { maxViolations, parts },
            0,
          );
          if (cutInQuotes) {
            expect(parallel).toBeUndefined();
          } else {
            merged++;
            expect(comparable(parallel!)).toEqual(comparable(single));
          }
          const progress: number[] = [];
          const report = await validateDataset(file, SPEC, {
            maxViolations,
            ranges: parts,
            onProgress: (bytes) => progress.push(bytes),
          });
          expect(comparable(report)).toEqual(comparable(single));
          if (!cutInQuotes) {
            expect(progress.every((bytes, i) => i === 0 || bytes >= progress[i - 1]!)).toBe(true);
            expect(progress.at(-1)).toBe(content.length);
          }
        }
      }
    }
    // Most cuts miss the few quoted line breaks: the merge itself was compared, not only the fallback.
    expect(merged).toBeGreaterThanOrEqual(6);
  });

  for (const [cross, repeated] of [
    ['id', [12, 15, 1197]],
    ['key', [12, 15, 1195]],
  ] as const) {
    it(`reads again in one pass when a ${cross === 'id' ? 'unique id' : 'key'} repeats across ranges`, async () => {
      const random = seededRandom(SEED + 1);
      const { content } = generate(random, 1200, false, cross);
      const file = write(content);
      const single = await validateDataset(file, SPEC, { ranges: 1 });
      const repeats = single.violations
        .filter((v) => v.rule === 'unique' || v.rule === 'key')
        .map((v) => v.row);
      expect(repeats).toEqual(repeated);
      for (const parts of [2, 3, 4]) {
        expect(
          await validateInRanges(file, content.length, SPEC, ',', { maxViolations: 1000, parts }, 0),
        ).toBeUndefined();
        expect(comparable(await validateDataset(file, SPEC, { ranges: parts }))).toEqual(comparable(single));
      }
    });
  }

  it('keeps the first violations in file order when only a later range has any', async () => {
    const lines = ['n'];
    for (let i = 1; i <= 400; i++) lines.push(i > 300 ? 'bad' : String(i));
    const content = `${lines.join('\n')}\n`;
    const file = write(content);
    const spec: DatasetSpec = { columns: { n: { type: 'integer' } } };
    const single = await validateDataset(file, spec, { ranges: 1, maxViolations: 3 });
    expect(single).toMatchObject({ errors: 100, truncated: true });
    expect(single.violations.map((v) => v.row)).toEqual([301, 302, 303]);
    for (const parts of [2, 3, 4]) {
      const parallel = await validateInRanges(
        file,
        content.length,
        spec,
        ',',
        { maxViolations: 3, parts },
        0,
      );
      expect(comparable(parallel!)).toEqual(comparable(single));
    }
  });

  it('reads again in one pass when a cut falls inside a quoted field', async () => {
    const lines = ['id,note'];
    for (let i = 1; i <= 40; i++) lines.push(`${i},plain`);
    lines.push(`41,"${Array.from({ length: 200 }, (_, i) => `inner line ${i}`).join('\n')}"`);
    for (let i = 42; i <= 60; i++) lines.push(`${i},plain`);
    const content = `${lines.join('\n')}\n`;
    const file = write(content);
    const spec: DatasetSpec = { columns: { id: { type: 'integer', max: 50 }, note: { type: 'string' } } };
    expect(
      await validateInRanges(file, content.length, spec, ',', { maxViolations: 1000, parts: 2 }, 0),
    ).toBeUndefined();
    const single = await validateDataset(file, spec, { ranges: 1 });
    expect(single.rows).toBe(60);
    expect(single.violations.map((v) => [v.row, v.line])).toEqual(
      Array.from({ length: 10 }, (_, i) => [51 + i, 51 + i + 200]),
    );
    expect(comparable(await validateDataset(file, spec, { ranges: 2 }))).toEqual(comparable(single));
  });

  it('reports malformed CSV in any range as one pass does: coded, naming the line', async () => {
    const lines = ['a,b'];
    for (let i = 1; i <= 300; i++) lines.push(`${i},x`);
    lines.push('301,"never closed');
    for (let i = 302; i <= 400; i++) lines.push(`${i},x`);
    const file = write(`${lines.join('\n')}\n`);
    const spec: DatasetSpec = { columns: { a: { type: 'integer' } } };
    const single = await validateDataset(file, spec, { ranges: 1 });
    expect(single.violations).toEqual([
      expect.objectContaining({ rule: 'format', line: 302, message: expect.stringContaining('line 302') }),
    ]);
    for (const parts of [2, 3, 4])
      expect(comparable(await validateDataset(file, spec, { ranges: parts }))).toEqual(comparable(single));
  });
});
