import { extname } from 'node:path';
import { tableError } from './errors';

/** The table formats Cairn reads; TSV is CSV with a tab delimiter. */
export type TableFormat = 'csv' | 'json' | 'jsonl';

export const TABLE_FORMATS: readonly TableFormat[] = ['csv', 'json', 'jsonl'];

/** How to read a file: its format and, for CSV, the field delimiter. */
export interface TableLayout {
  format: TableFormat;
  delimiter: string;
}

const BY_EXTENSION: Readonly<Record<string, TableLayout>> = {
  '.csv': { format: 'csv', delimiter: ',' },
  '.txt': { format: 'csv', delimiter: ',' },
  '.tsv': { format: 'csv', delimiter: '\t' },
  '.json': { format: 'json', delimiter: ',' },
  '.jsonl': { format: 'jsonl', delimiter: ',' },
  '.ndjson': { format: 'jsonl', delimiter: ',' },
};

const KNOWN = Object.keys(BY_EXTENSION).join(', ');

/** The layout an extension names (case-insensitive), or undefined for any other extension. */
export function tableLayoutOf(file: string): TableLayout | undefined {
  const layout = BY_EXTENSION[extname(file).toLowerCase()];
  return layout && { ...layout };
}

/**
 * The one format rule: a declared format (dataset config, spec, option) wins,
 * else the extension decides; with neither, a coded error lists what is valid.
 * The delimiter is the declared one, else a tab for `.tsv`, else a comma.
 */
export function detectTableFormat(
  file: string,
  declared: { format?: TableFormat; delimiter?: string } = {},
): TableLayout {
  const fromName = tableLayoutOf(file);
  const format = declared.format ?? fromName?.format;
  if (!format) {
    const extension = extname(file).toLowerCase();
    throw tableError(
      'TABLE_FORMAT_UNKNOWN',
      `${file}: cannot tell the table format from the extension "${extension}"`,
      { file },
      {
        hint:
          extension === '.parquet'
            ? 'Parquet is not supported (no well-kept pure-JavaScript reader fits): export the data to CSV or JSON Lines'
            : `use one of ${KNOWN}, or declare "format" as one of ${TABLE_FORMATS.join(', ')}`,
      },
    );
  }
  return { format, delimiter: declared.delimiter ?? fromName?.delimiter ?? ',' };
}
