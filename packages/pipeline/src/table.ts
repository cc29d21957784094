import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from './csv-write';
import { DatasetReadError } from './errors';

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface Table {
  columns: string[];
  rows: Row[];
}

/** A cell that reads as a finite number becomes a number; an empty cell is null. */
function castCell(value: string): Cell {
  if (value === '') return null;
  const trimmed = value.trim();
  if (trimmed !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return value;
}

/** Reads a whole dataset (CSV with a header row, a JSON array of objects, or JSON lines) into memory. */
export async function readTable(
  file: string,
  format: 'csv' | 'json' | 'jsonl' = 'csv',
  displayName = file,
): Promise<Table> {
  const text = await readFile(file, 'utf8');
  if (format === 'csv') {
    let records: string[][];
    try {
      records = parse(text, { skip_empty_lines: true, relax_column_count: false }) as string[][];
    } catch (error) {
      const e = error as { message: string; lines?: number };
      throw new DatasetReadError(displayName, `is not valid CSV: ${e.message}`, { row: e.lines });
    }
    const [header, ...body] = records;
    if (!header) throw new DatasetReadError(displayName, 'is empty (a header row is required)');
    return {
      columns: header,
      rows: body.map((record) =>
        Object.fromEntries(header.map((column, i) => [column, castCell(record[i] ?? '')])),
      ),
    };
  }
  const records: unknown[] = [];
  if (format === 'json') {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) throw new DatasetReadError(displayName, 'must hold a JSON array of objects');
    records.push(...value);
  } else {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line));
      } catch {
        throw new DatasetReadError(displayName, 'is not a JSON object', { row: index + 1 });
      }
    });
  }
  const columns = new Set<string>();
  const rows = records.map((record, index) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DatasetReadError(displayName, 'is not a JSON object', { row: index + 1 });
    }
    const row: Row = {};
    for (const [key, value] of Object.entries(record)) {
      columns.add(key);
      row[key] =
        typeof value === 'number' || typeof value === 'string' || value === null
          ? value
          : JSON.stringify(value);
    }
    return row;
  });
  return { columns: [...columns], rows };
}

export function tableToCsv(columns: string[], rows: Row[]): string {
  return stringify(columns, rows);
}
