import { describe, expect, it } from 'vitest';
import { detectTableFormat, tableLayoutOf } from './format';

describe('detectTableFormat', () => {
  it('reads the format from the extension, case-insensitively; TSV is CSV with a tab', () => {
    expect(detectTableFormat('a/b.CSV')).toEqual({ format: 'csv', delimiter: ',' });
    expect(detectTableFormat('b.txt')).toEqual({ format: 'csv', delimiter: ',' });
    expect(detectTableFormat('b.tsv')).toEqual({ format: 'csv', delimiter: '\t' });
    expect(detectTableFormat('b.json')).toEqual({ format: 'json', delimiter: ',' });
    expect(detectTableFormat('b.jsonl')).toEqual({ format: 'jsonl', delimiter: ',' });
    expect(detectTableFormat('b.NDJSON')).toEqual({ format: 'jsonl', delimiter: ',' });
  });

  it('lets a declared format and delimiter win over the extension', () => {
    expect(detectTableFormat('b.dat', { format: 'csv' })).toEqual({ format: 'csv', delimiter: ',' });
    expect(detectTableFormat('b.tsv', { format: 'csv' })).toEqual({ format: 'csv', delimiter: '\t' });
    expect(detectTableFormat('b.csv', { delimiter: ';' })).toEqual({ format: 'csv', delimiter: ';' });
    expect(detectTableFormat('b.csv', { format: 'jsonl' }).format).toBe('jsonl');
  });

  it('fails with a coded error listing the valid extensions and formats', () => {
    for (const file of ['data.dat', 'data', 'data.csv.gz']) {
      expect(() => detectTableFormat(file)).toThrow(
        expect.objectContaining({
          code: 'TABLE_FORMAT_UNKNOWN',
          data: { file },
          hint: expect.stringContaining('.csv, .txt, .tsv, .json, .jsonl, .ndjson') as string,
        }),
      );
    }
    expect(() => detectTableFormat('d.parquet')).toThrow(
      expect.objectContaining({
        code: 'TABLE_FORMAT_UNKNOWN',
        hint: expect.stringContaining('Parquet') as string,
      }),
    );
  });

  it('tableLayoutOf says undefined rather than failing', () => {
    expect(tableLayoutOf('x.parquet')).toBeUndefined();
    expect(tableLayoutOf('x.tsv')).toEqual({ format: 'csv', delimiter: '\t' });
  });
});
