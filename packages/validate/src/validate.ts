import { stat } from 'node:fs/promises';
import { cairnError, readFailure } from '@cairn/errors';
import {
  JsonArrayScanner,
  JsonLinesSplitter,
  JsonSyntaxError,
  type TableLayout,
  detectTableFormat,
  readTextChunks,
} from '@cairn/table';
import { DatasetChecker, type ValidateOptions, type ValidationReport } from './checker';
import { validateCsv } from './csv-ranges';
import type { DatasetSpec } from './spec';

export type { ColumnStats, PiiFinding, ValidateOptions, ValidationReport, Violation } from './checker';

/** The one format rule of @cairn/table, fed with what the spec declares. */
export function specLayout(file: string, spec: DatasetSpec): TableLayout {
  return detectTableFormat(file, { format: spec.format, delimiter: spec.csv?.delimiter });
}

/**
 * Validates a data file against a dataset spec, streaming: memory stays
 * bounded by the chunk size, the longest record and, for `unique`/`key`
 * rules, ~11–21 bytes per distinct value (see DigestSet).
 */
export async function validateDataset(
  dataPath: string,
  spec: DatasetSpec,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const startedAt = Date.now();
  let info;
  try {
    info = await stat(dataPath);
  } catch (error) {
    throw readFailure(error, dataPath, { hint: 'run `cairn pull` to fetch tracked data, or check the path' });
  }
  if (!info.isFile()) {
    throw cairnError('DATA_NOT_A_FILE', `${dataPath}: is not a file`, {
      data: { file: dataPath },
      hint: 'validate one data file at a time',
    });
  }
  const { format, delimiter } = specLayout(dataPath, spec);
  if (format === 'csv') return validateCsv(dataPath, info.size, spec, delimiter, options, startedAt);
  const checker = new DatasetChecker(spec, options.maxViolations ?? 1000);
  let bytes = info.size;
  try {
    if (format === 'jsonl') {
      checker.prepareObjectColumns();
      const splitter = new JsonLinesSplitter((text, line) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          checker.rows++;
          checker.formatViolation(
            `line ${line} is not valid JSON: ${(error as Error).message}`,
            checker.rows,
            line,
          );
          return;
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          checker.rows++;
          checker.formatViolation(`line ${line} is not a JSON object`, checker.rows, line);
          return;
        }
        checker.objectRow(value as Record<string, unknown>, line);
      });
      bytes = await readTextChunks(dataPath, (text) => splitter.push(text), options.onProgress);
      splitter.end();
    } else {
      checker.prepareObjectColumns();
      const scanner = new JsonArrayScanner((text, row) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          throw new JsonSyntaxError(`element ${row} is not valid JSON: ${(error as Error).message}`, row);
        }
        checker.objectRow(value as Record<string, unknown>, undefined);
      });
      bytes = await readTextChunks(dataPath, (text) => scanner.push(text), options.onProgress);
      scanner.end();
    }
  } catch (error) {
    if (error instanceof JsonSyntaxError)
      checker.formatViolation(`${error.message}; reading stopped`, error.row, error.line);
    else throw error;
  }
  return checker.finish(dataPath, format, bytes, startedAt);
}
