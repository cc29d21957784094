import { CairnError } from '@cairn/errors';

/** Stable codes of every failure reading or writing a table; tests and callers branch on these. */
export const TableErrorCode = {
  /** The file is missing or cannot be read. */
  unreadable: 'TABLE_UNREADABLE',
  /** The extension (or declared format) is not one of csv, tsv, txt, json, jsonl, ndjson. */
  formatUnknown: 'TABLE_FORMAT_UNKNOWN',
  /** There is no header row (CSV) or no rows at all where some are required. */
  empty: 'TABLE_EMPTY',
  /** A CSV header name is empty or appears twice. */
  headerInvalid: 'TABLE_HEADER_INVALID',
  /** A CSV record has more or fewer fields than the header. */
  rowWidth: 'TABLE_ROW_WIDTH',
  /** CSV syntax: an unterminated quoted field, or a record longer than the limit. */
  csvInvalid: 'TABLE_CSV_INVALID',
  /** JSON / JSON Lines syntax, or a row that is not a JSON object. */
  jsonInvalid: 'TABLE_JSON_INVALID',
} as const;

export type TableErrorCodeValue = (typeof TableErrorCode)[keyof typeof TableErrorCode];

/** Where in a table a problem is: the file, the physical line (1-based, header = 1), the data row, the column. */
export interface TablePlace {
  file: string;
  line?: number;
  row?: number;
  column?: string;
}

export function tableError(
  code: TableErrorCodeValue,
  message: string,
  place: TablePlace,
  options: { hint?: string; cause?: unknown } = {},
): CairnError<Record<string, unknown>> {
  const data: Record<string, unknown> = { file: place.file };
  if (place.line !== undefined) data.line = place.line;
  if (place.row !== undefined) data.row = place.row;
  if (place.column !== undefined) data.column = place.column;
  return new CairnError(code, message, { data, ...options });
}
