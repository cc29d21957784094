import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

/** Where in a table a problem is: the file, the physical line (1-based, header = 1), the data row, the column. */
export interface TablePlace {
  file: string;
  line?: number;
  row?: number;
  column?: string;
}

export function tableError(
  code: Extract<ErrorCode, `TABLE_${string}`>,
  message: string,
  place: TablePlace,
  options: { hint?: string; cause?: unknown } = {},
): CairnError<Record<string, unknown>> {
  const data: Record<string, unknown> = { file: place.file };
  if (place.line !== undefined) data.line = place.line;
  if (place.row !== undefined) data.row = place.row;
  if (place.column !== undefined) data.column = place.column;
  return cairnError(code, message, { data, ...options });
}
