import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Rows } from './detect';
import { DriftErrorCode, driftError } from './errors';

/**
 * Reads a CSV file with a header row into rows of strings (types are inferred
 * per column later, by `detectDrift`).
 */
export function readCsvRows(file: string): Rows {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw driftError(
      DriftErrorCode.CsvMissing,
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`,
      { file },
    );
  }
  try {
    return parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: false }) as Rows;
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw driftError(
      DriftErrorCode.CsvInvalid,
      `${file}: not a valid CSV with a header row (${e.message ?? String(error)})`,
      { file, line: e.lines },
    );
  }
}
