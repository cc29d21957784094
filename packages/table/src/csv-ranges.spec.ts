import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRanges, readFirstCsvRecord } from './csv-ranges';
import { CsvTokenizer, recordFields } from './csv-tokenizer';
import { readTextChunks } from './text-stream';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-table-ranges-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
function write(content: string | Buffer): string {
  const target = path.join(tmp, `data-${++counter}.csv`);
  fs.writeFileSync(target, content);
  return target;
}

describe('csvRanges', () => {
  it('cuts right after a line feed and covers the file without gaps', async () => {
    const content = Buffer.from(
      Array.from({ length: 500 }, (_, i) => `${i},é${'x'.repeat(i % 37)}\r\n`).join(''),
    );
    const file = write(content);
    for (const parts of [2, 3, 4, 7]) {
      const ranges = await csvRanges(file, content.length, parts);
      expect(ranges).toHaveLength(parts);
      expect(ranges[0]!.start).toBe(0);
      expect(ranges[ranges.length - 1]!.end).toBe(content.length);
      for (let i = 1; i < ranges.length; i++) {
        expect(ranges[i]!.start).toBe(ranges[i - 1]!.end);
        expect(content[ranges[i]!.start - 1]).toBe(10);
        expect(ranges[i]!.start).toBeGreaterThan(Math.floor((content.length * i) / parts));
      }
    }
  });

  it('gives fewer ranges when the file has fewer lines, one for a file without line feeds', async () => {
    const twoLines = write('a,b\n1,2\n');
    expect(await csvRanges(twoLines, 8, 4)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
    ]);
    const oneLine = write('a,b,c,d');
    expect(await csvRanges(oneLine, 7, 3)).toEqual([{ start: 0, end: 7 }]);
  });
});

describe('readTextChunks over a byte range', () => {
  it('reads exactly the bytes of the range', async () => {
    const content = 'héllo\nwörld\n'.repeat(200_000);
    const file = write(content);
    const bytes = Buffer.from(content);
    const start = bytes.indexOf('\n', 1_000_000) + 1;
    const end = bytes.indexOf('\n', 2_000_000) + 1;
    const pieces: string[] = [];
    const read = await readTextChunks(file, (text) => void pieces.push(text), undefined, { start, end });
    expect(read).toBe(end - start);
    expect(pieces.join('')).toBe(bytes.subarray(start, end).toString('utf8'));
  });
});

describe('CsvTokenizer for a range', () => {
  it('tells whether the text pushed ended on a record boundary', () => {
    const tokenizer = new CsvTokenizer(() => {}, {});
    tokenizer.push('a,b\r\n1,"x\r\n');
    expect(tokenizer.atRecordBoundary).toBe(false);
    tokenizer.push('y"\r\n');
    expect(tokenizer.atRecordBoundary).toBe(true);
    tokenizer.push('2,z');
    expect(tokenizer.atRecordBoundary).toBe(false);
  });

  it('starts mid-file with the given line break and keeps a leading U+FEFF as data', () => {
    const records: string[][] = [];
    const tokenizer = new CsvTokenizer(
      (text, starts, ends, count) => records.push(recordFields(text, starts, ends, count)),
      { lineBreak: '\n' },
    );
    tokenizer.push('\ufeffx,"1\n2"\r\n');
    expect(records).toEqual([['\ufeffx', '1\n2']]);
    expect(tokenizer.currentLine).toBe(3);
  });
});

describe('readFirstCsvRecord', () => {
  it('reads the first record and the line break, quotes and BOM included', async () => {
    const file = write('\ufeff"a\nb",c\r\n1,2\r\n');
    expect(await readFirstCsvRecord(file, { maxBytes: 1000 })).toEqual({
      fields: ['a\nb', 'c'],
      lineBreak: '\n',
    });
    expect(await readFirstCsvRecord(write('a;b\r1;2\r'), { delimiter: ';', maxBytes: 1000 })).toEqual({
      fields: ['a', 'b'],
      lineBreak: '\r',
    });
  });

  it('answers undefined when the first bytes hold no complete record or bad CSV', async () => {
    expect(await readFirstCsvRecord(write(`${'x'.repeat(100)},y\n`), { maxBytes: 50 })).toBeUndefined();
    expect(await readFirstCsvRecord(write('"a,b\n'), { maxBytes: 1000 })).toBeUndefined();
  });
});
