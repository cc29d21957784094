import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSyntaxError, CsvTokenizer, recordFields } from './csv-tokenizer';

const PYTHON = '/usr/bin/python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-csv-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tokenize(
  text: string,
  chunkSizes: number[] = [text.length],
  delimiter = ',',
): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  const tokenizer = new CsvTokenizer(
    (text, starts, ends, count, line) =>
      records.push({ fields: recordFields(text, starts, ends, count), line }),
    { delimiter },
  );
  let at = 0;
  let i = 0;
  while (at < text.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    tokenizer.push(text.slice(at, at + size));
    at += size;
  }
  tokenizer.end();
  return records;
}

/** Python's csv module (skipping blank lines, as the tokenizer does) is the oracle. */
function pythonRecords(file: string): string[][] {
  const script = `import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    print(json.dumps([r for r in csv.reader(f) if r]))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' })) as string[][];
}

function randomCsv(seed: number, rows: number, lineEnd?: string): string {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pieces = ['a', 'bc', '5.1', '', ' x ', 'é', '"', ',', '\n', '\r\n', 'q"q', '日本'];
  const field = () => {
    const n = Math.floor(random() * 4);
    let value = '';
    for (let i = 0; i < n; i++) value += pieces[Math.floor(random() * pieces.length)];
    return /[",\r\n]/.test(value) || random() < 0.1 ? `"${value.replace(/"/g, '""')}"` : value;
  };
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) lines.push([field(), field(), field(), field()].join(','));
  const end = lineEnd ?? (random() < 0.5 ? '\n' : '\r\n');
  return lines.join(end) + (random() < 0.5 ? end : '');
}

describe('CsvTokenizer', () => {
  it('agrees with Python csv on random quoted data, whatever the chunking', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const text = randomCsv(seed, 300);
      const file = path.join(tmp, `r${seed}.csv`);
      fs.writeFileSync(file, text);
      const expected = pythonRecords(file).filter((r) => !(r.length === 1 && r[0] === ''));
      const whole = tokenize(text).map((r) => r.fields);
      expect(whole).toEqual(expected);
      expect(tokenize(text, [1, 7, 3, 64, 2]).map((r) => r.fields)).toEqual(whole);
    }
  });

  it('agrees with Python csv on CR-only files (old Mac exports)', () => {
    for (const seed of [11, 12, 13]) {
      const text = randomCsv(seed, 200, '\r');
      const file = path.join(tmp, `cr${seed}.csv`);
      fs.writeFileSync(file, text);
      const expected = pythonRecords(file).filter((r) => !(r.length === 1 && r[0] === ''));
      expect(tokenize(text).map((r) => r.fields)).toEqual(expected);
      expect(tokenize(text, [1, 5, 2, 33]).map((r) => r.fields)).toEqual(expected);
    }
  });

  it('agrees with csv-parse (BOM, blank lines skipped) on random RFC 4180 files, LF, CRLF or CR', () => {
    for (const [seed, lineEnd] of [
      [21, '\n'],
      [22, '\r\n'],
      [23, '\r'],
    ] as const) {
      const text = `\ufeff${randomCsv(seed, 300, lineEnd)}`;
      const expected = (
        parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][]
      ).filter((r) => !(r.length === 1 && r[0] === ''));
      expect(tokenize(text, [5, 1, 17]).map((r) => r.fields)).toEqual(expected);
    }
  });

  it('reports the line each record starts on, counting quoted newlines and blank lines', () => {
    const records = tokenize('h1,h2\n\na,"x\ny"\nb,c\r\n', [3]);
    expect(records.map((r) => r.line)).toEqual([1, 3, 5]);
    expect(records[1]!.fields).toEqual(['a', 'x\ny']);
  });

  it('strips a BOM, keeps a last line without newline, supports another delimiter', () => {
    expect(tokenize('\ufeffa\tb\n1\t2', [2], '\t').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('fails on an unterminated quote at the end of the data', () => {
    expect(() => tokenize('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
  });

  it('bounds memory: a record longer than the limit is an error', () => {
    const tokenizer = new CsvTokenizer(() => undefined, { maxRecordLength: 100 });
    expect(() => tokenizer.push('"'.padEnd(500, 'x'))).toThrow(/longer than 100/);
  });
});
