import { stringify } from 'csv-stringify/sync';
import type { Cell } from './cells';

/**
 * One writer for CSV: RFC 4180 quoting (a field holding the delimiter, a
 * quote, CR or LF is quoted, quotes doubled; csv-stringify alone leaves a
 * lone CR unquoted, hence the CR/LF match), plus quotes around values with
 * surrounding white space (so readers that trim keep them) and around the
 * empty field of a one-column record (else the record would be a blank line,
 * which readers skip). Records end with LF. Streaming writers call this once
 * per batch of records.
 */
export function csvRecords(records: readonly (readonly string[])[], delimiter = ','): string {
  const options = { delimiter, record_delimiter: '\n', quoted_match: /^\s|\s$|[\r\n]/ };
  const isBlank = (record: readonly string[]) => record.length === 1 && record[0] === '';
  if (!records.some(isBlank)) return stringify(records as string[][], options);
  return records.map((record) => (isBlank(record) ? '""\n' : stringify([[...record]], options))).join('');
}

function text(cell: Cell | undefined): string {
  return cell === null || cell === undefined ? '' : String(cell);
}

/** A CSV document: header row, then one record per row (cells looked up by column name; null and undefined are empty cells). */
export function tableToCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, Cell | undefined>>[],
  options: { delimiter?: string } = {},
): string {
  const records = [[...columns], ...rows.map((row) => columns.map((column) => text(row[column])))];
  return csvRecords(records, options.delimiter);
}
