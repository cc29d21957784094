import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvColumns, parseTable, readCsvColumns, readTable } from './read';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-table-read-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const csv = (text: string) => parseTable(text, { format: 'csv' }, 't.csv');

describe('CSV rules', () => {
  it('strips a UTF-8 BOM, and only at the very start', () => {
    expect(csv('\ufeffa,b\n1,2\n').columns).toEqual(['a', 'b']);
    expect(csv('a,b\n\ufeffx,2\n').rows[0]).toEqual({ a: '\ufeffx', b: 2 });
  });

  it('reads LF, CRLF, mixed LF/CRLF and CR-only line ends alike', () => {
    const expected = [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ];
    for (const text of ['a,b\n1,x\n2,y\n', 'a,b\r\n1,x\r\n2,y\r\n', 'a,b\r\n1,x\n2,y', 'a,b\r1,x\r2,y\r']) {
      expect(csv(text).rows, JSON.stringify(text)).toEqual(expected);
    }
    expect(csv('a,b\r1,x\r\r2,y').lines).toEqual([2, 4]);
  });

  it('keeps quoted delimiters, doubled quotes and line breaks; stray quotes stay literal', () => {
    const table = csv('a,b,c\n"x, y","say ""hi""","multi\r\nline"\nit"s,5,\n');
    expect(table.rows).toEqual([
      { a: 'x, y', b: 'say "hi"', c: 'multi\r\nline' },
      { a: 'it"s', b: 5, c: null },
    ]);
  });

  it('numbers rows by the physical line they start on (1-based, header = line 1)', () => {
    // 1-2 header (a quoted name spans two lines), 3 blank, 4-6 a row with a 3-line field, 7 a row.
    const columns = parseCsvColumns('y_true,"y_\npred",score\n\n"a\nb\nc",x,0.5\nd,e,high\n');
    expect(columns.header).toEqual(['y_true', 'y_\npred', 'score']);
    expect(columns.lines).toEqual([4, 7]);
    expect(columns.columns).toEqual([
      ['a\nb\nc', 'd'],
      ['x', 'e'],
      ['0.5', 'high'],
    ]);
  });

  it('reports a ragged row with its physical line, counting quoted newlines and blank lines', () => {
    const cases: [string, number][] = [
      ['a,b\n1,2\n3\n', 3],
      ['a,b\n"a\nb",c\n\n"d\ne"\n', 5],
      ['a,b\r\n"a\r\nb",c\r\n\r\nd\r\n', 5],
      ['a,b\r"a\rb",c\r\rd\r', 5],
      ['a,b\n1,2,3\n', 2],
    ];
    for (const [text, line] of cases) {
      expect(() => parseCsvColumns(text, { file: 'r.csv' }), JSON.stringify(text)).toThrow(
        expect.objectContaining({
          code: 'TABLE_ROW_WIDTH',
          data: expect.objectContaining({ file: 'r.csv', line }),
        }),
      );
    }
  });

  it('rejects an unterminated quote, naming the line its record starts on', () => {
    expect(() => parseCsvColumns('a,b\n1,2\n"1,2\n', { file: 'q.csv' })).toThrow(
      expect.objectContaining({ code: 'TABLE_CSV_INVALID', data: { file: 'q.csv', line: 3 } }),
    );
  });

  it('rejects empty and duplicate header names, and a file without a header', () => {
    expect(() => parseCsvColumns('a,,b\n1,2,3\n', { file: 'h.csv' })).toThrow(
      expect.objectContaining({
        code: 'TABLE_HEADER_INVALID',
        message: expect.stringContaining('column 2') as string,
      }),
    );
    expect(() => parseCsvColumns('\n\na,b,a\n', { file: 'h.csv' })).toThrow(
      expect.objectContaining({
        code: 'TABLE_HEADER_INVALID',
        data: { file: 'h.csv', line: 3, column: 'a' },
      }),
    );
    expect(() => parseCsvColumns('\n\r\n', { file: 'e.csv' })).toThrow(
      expect.objectContaining({ code: 'TABLE_EMPTY' }),
    );
  });

  it('header names and cells are never trimmed; only the empty cell is null', () => {
    const table = csv(' a ,b,c,d,e\n x , ,NA,null,""\n');
    expect(table.columns).toEqual([' a ', 'b', 'c', 'd', 'e']);
    expect(table.rows).toEqual([{ ' a ': ' x ', b: ' ', c: 'NA', d: 'null', e: null }]);
  });

  it('casts numbers by the documented rule', () => {
    const cells = [
      '1',
      '-2.5',
      '+3',
      '.5',
      '5.',
      '1e3',
      '-1E-2',
      ' 7 ',
      '007',
      '0x1F',
      '0b1',
      'Infinity',
      'NaN',
      '1_000',
      '1e999',
      '--1',
      '1e',
      '.',
      '-',
    ];
    const table = csv(`v\n${cells.join('\n')}\n`);
    expect(table.rows.map((r) => r.v)).toEqual([1, -2.5, 3, 0.5, 5, 1000, -0.01, 7, 7, ...cells.slice(9)]);
  });

  it('reads TSV with the tab delimiter from the extension', () => {
    const file = write('t.tsv', 'a\tb\n"x\ty"\t2\n');
    expect(readTable(file).rows).toEqual([{ a: 'x\ty', b: 2 }]);
    expect(readCsvColumns(file).columns).toEqual([['x\ty'], ['2']]);
  });
});

describe('JSON and JSON Lines', () => {
  it('reads an array of objects: numbers, strings and null kept, other values as JSON text, missing keys null', () => {
    const file = write('a.json', '\ufeff[\n {"a": 1, "b": "x"},\n {"b": null, "c": [1, 2], "d": true}\n]\n');
    expect(readTable(file)).toEqual({
      columns: ['a', 'b', 'c', 'd'],
      rows: [
        { a: 1, b: 'x', c: null, d: null },
        { a: null, b: null, c: '[1,2]', d: 'true' },
      ],
      lines: [2, 3],
    });
  });

  it('reads JSON Lines, skipping blank lines but counting them, CRLF included', () => {
    const file = write('a.jsonl', '{"a":1}\r\n\r\n{"a":"2"}\r\n');
    expect(readTable(file)).toEqual({ columns: ['a'], rows: [{ a: 1 }, { a: '2' }], lines: [1, 3] });
    expect(readTable(write('b.ndjson', '{"a":1}')).rows).toEqual([{ a: 1 }]);
  });

  it('names the line of a JSON Lines error', () => {
    expect(() => readTable(write('bad.jsonl', '{"a":1}\n\n{"a":\n'))).toThrow(
      expect.objectContaining({
        code: 'TABLE_JSON_INVALID',
        data: expect.objectContaining({ line: 3, row: 2 }),
      }),
    );
    expect(() => readTable(write('arr.jsonl', '{"a":1}\n[1]\n'))).toThrow(
      expect.objectContaining({
        code: 'TABLE_JSON_INVALID',
        data: expect.objectContaining({ line: 2 }),
      }),
    );
  });

  it('names the line of a JSON array error', () => {
    expect(() => readTable(write('bad.json', '[\n{"a":1},\n{"a":1,}\n]'))).toThrow(
      expect.objectContaining({
        code: 'TABLE_JSON_INVALID',
        data: expect.objectContaining({ line: 3, row: 2 }),
      }),
    );
    expect(() => readTable(write('notobj.json', '[\n{"a":1},\n\n 5]'))).toThrow(
      expect.objectContaining({
        code: 'TABLE_JSON_INVALID',
        data: expect.objectContaining({ line: 4 }),
      }),
    );
    expect(() => readTable(write('obj.json', '{"a":1}'))).toThrow(
      expect.objectContaining({ code: 'TABLE_JSON_INVALID' }),
    );
    expect(() => readTable(write('open.json', '[{"a":1},\n'))).toThrow(
      expect.objectContaining({
        code: 'TABLE_JSON_INVALID',
        data: expect.objectContaining({ line: 2 }),
      }),
    );
  });
});

describe('readTable', () => {
  it('names a missing file with PATH_NOT_FOUND, under its display name', () => {
    expect(() => readTable(path.join(dir, 'missing.csv'), { displayName: 'data/missing.csv' })).toThrow(
      expect.objectContaining({
        code: 'PATH_NOT_FOUND',
        data: { path: 'data/missing.csv' },
        message: expect.stringContaining('data/missing.csv') as string,
      }),
    );
  });

  it('lets a declared format win over the extension', () => {
    const file = write('rows.txt', '{"a":1}\n');
    expect(readTable(file, { format: 'jsonl' }).rows).toEqual([{ a: 1 }]);
  });
});
