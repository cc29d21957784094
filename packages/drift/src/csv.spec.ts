import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvRows } from './csv';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-drift-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readCsvRows', () => {
  it('reads a header row and keeps cells as strings', () => {
    const file = path.join(dir, 'ok.csv');
    fs.writeFileSync(file, '\ufeffa,b\n1,"x, y"\n2,\n');
    expect(readCsvRows(file)).toEqual([
      { a: '1', b: 'x, y' },
      { a: '2', b: '' },
    ]);
  });
  it('names a missing file (DRIFT_CSV_MISSING)', () => {
    const file = path.join(dir, 'missing.csv');
    expect(() => readCsvRows(file)).toThrow(
      expect.objectContaining({
        code: 'DRIFT_CSV_MISSING',
        message: expect.stringContaining(file) as string,
      }) as Error,
    );
  });
  it('names a malformed file (DRIFT_CSV_INVALID)', () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'a,b\n1,2,3\n');
    expect(() => readCsvRows(file)).toThrow(
      expect.objectContaining({
        code: 'DRIFT_CSV_INVALID',
        message: expect.stringContaining(file) as string,
      }) as Error,
    );
  });
});
