import { readFileSync } from 'node:fs';
import { type Cell, type Row, castCell } from './cells';
import { CsvSyntaxError, CsvTokenizer, recordFields } from './csv-tokenizer';
import { readFailure } from '@cairn/errors';
import { tableError } from './errors';
import { type TableFormat, detectTableFormat } from './format';
import { JsonArrayScanner, JsonLinesSplitter, JsonSyntaxError } from './text-stream';

/** A CSV held column by column, every value a string exactly as written (quotes removed). */
export interface CsvColumns {
  header: string[];
  /** `columns[i]` holds the values of `header[i]`, one per data row. */
  columns: string[][];
  /**
   * Line of the file where each data row starts, as an editor numbers them:
   * 1-based, the header is line 1, blank lines and every line of a quoted
   * multi-line field count.
   */
  lines: number[];
}

/** A table with typed cells (see `castCell`): the shape most callers want. */
export interface Table {
  columns: string[];
  rows: Row[];
  /** Physical line each row starts on (CSV, JSON Lines, JSON array elements). */
  lines: number[];
}

export interface ReadTableOptions {
  /** Overrides the extension (see `detectTableFormat`). */
  format?: TableFormat;
  delimiter?: string;
  /** How errors name the file (e.g. workspace-relative); defaults to the path read. */
  displayName?: string;
}

function checkHeader(names: string[], file: string, line: number): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === '') {
      throw tableError(
        'TABLE_HEADER_INVALID',
        `${file}:${line}: column ${index + 1} of the header has no name`,
        { file, line },
        { hint: 'every column needs a non-empty, unique name in the header row' },
      );
    }
    if (seen.has(name)) {
      throw tableError(
        'TABLE_HEADER_INVALID',
        `${file}:${line}: column "${name}" appears twice in the header`,
        { file, line, column: name },
        { hint: 'every column needs a non-empty, unique name in the header row' },
      );
    }
    seen.add(name);
  });
}

/** Parses CSV text with a header row; the rules are in the package README. */
export function parseCsvColumns(
  text: string,
  options: { file?: string; delimiter?: string } = {},
): CsvColumns {
  const file = options.file ?? 'input';
  let header: string[] | undefined;
  let columns: string[][] = [];
  const lines: number[] = [];
  const tokenizer = new CsvTokenizer(
    (chunk, starts, ends, count, line) => {
      if (!header) {
        header = recordFields(chunk, starts, ends, count);
        checkHeader(header, file, line);
        columns = header.map(() => []);
        return;
      }
      if (count !== header.length) {
        throw tableError(
          'TABLE_ROW_WIDTH',
          `${file}:${line}: ${count} fields, the header has ${header.length}`,
          { file, line, row: lines.length + 1 },
          { hint: 'quote fields that hold the delimiter, a quote or a line break ("a, b" → "\\"a, b\\"")' },
        );
      }
      for (let i = 0; i < count; i++) columns[i]!.push(chunk.slice(starts[i], ends[i]));
      lines.push(line);
    },
    { delimiter: options.delimiter ?? ',' },
  );
  try {
    tokenizer.push(text);
    tokenizer.end();
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw tableError('TABLE_CSV_INVALID', `${file}:${error.line}: ${error.message}`, {
        file,
        line: error.line,
      });
    }
    throw error;
  }
  if (!header) {
    throw tableError('TABLE_EMPTY', `${file}: is empty (a header row is required)`, { file });
  }
  return { header, columns, lines };
}

function readText(file: string, displayName: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw readFailure(error, displayName);
  }
}

/** Reads a CSV (or TSV, with `delimiter: '\t'`) file column by column, values as strings. */
export function readCsvColumns(
  file: string,
  options: { delimiter?: string; displayName?: string } = {},
): CsvColumns {
  const displayName = options.displayName ?? file;
  const delimiter = options.delimiter ?? detectTableFormat(file, { format: 'csv' }).delimiter;
  return parseCsvColumns(readText(file, displayName), { file: displayName, delimiter });
}

/** JSON values as cells: numbers, strings and null as they are, anything else as its JSON text. */
function jsonCell(value: unknown): Cell {
  return typeof value === 'number' || typeof value === 'string' || value === null
    ? value
    : JSON.stringify(value);
}

function jsonRows(text: string, format: 'json' | 'jsonl', file: string): Table {
  const objects: Record<string, unknown>[] = [];
  const lines: number[] = [];
  const add = (source: string, line: number) => {
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw new JsonSyntaxError(
        `line ${line}: not valid JSON (${(error as Error).message})`,
        objects.length + 1,
        line,
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new JsonSyntaxError(
        `line ${line}: row ${objects.length + 1} is not a JSON object`,
        objects.length + 1,
        line,
      );
    }
    objects.push(value as Record<string, unknown>);
    lines.push(line);
  };
  try {
    if (format === 'jsonl') {
      const splitter = new JsonLinesSplitter(add);
      splitter.push(text);
      splitter.end();
    } else {
      const scanner = new JsonArrayScanner((source, _row, line) => add(source, line));
      scanner.push(text);
      scanner.end();
    }
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw tableError(
        'TABLE_JSON_INVALID',
        `${file}: ${error.message}`,
        { file, line: error.line, row: error.row },
        {
          hint:
            format === 'jsonl'
              ? 'JSON Lines holds one JSON object per line'
              : 'the file must hold one JSON array of objects',
        },
      );
    }
    throw error;
  }
  const seen = new Set<string>();
  for (const object of objects) for (const key of Object.keys(object)) seen.add(key);
  const columns = [...seen];
  const rows = objects.map((object) => {
    const row: Row = {};
    for (const column of columns) row[column] = column in object ? jsonCell(object[column]) : null;
    return row;
  });
  return { columns, rows, lines };
}

/** Parses table text of a known format into typed rows; `file` only names it in errors. */
export function parseTable(
  text: string,
  layout: { format: TableFormat; delimiter?: string },
  file = 'input',
): Table {
  if (layout.format !== 'csv') return jsonRows(text, layout.format, file);
  const csv = parseCsvColumns(text, { file, delimiter: layout.delimiter });
  const rows: Row[] = csv.lines.map((_, index) => {
    const row: Row = {};
    csv.header.forEach((column, i) => {
      row[column] = castCell(csv.columns[i]![index]!);
    });
    return row;
  });
  return { columns: csv.header, rows, lines: csv.lines };
}

/**
 * Reads a whole CSV, TSV, JSON (array of objects) or JSON Lines file into
 * typed rows. The format comes from `detectTableFormat`.
 */
export function readTable(file: string, options: ReadTableOptions = {}): Table {
  const displayName = options.displayName ?? file;
  const layout = detectTableFormat(file, options);
  return parseTable(readText(file, displayName), layout, displayName);
}
