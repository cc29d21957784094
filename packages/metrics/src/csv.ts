import { type CsvColumns, parseNumber as tableNumber } from '@cairn/table';
import { metricsError } from './errors';
import type { MetricsInput, Task } from './report';

/** @cairn/table's number rule, with NaN for "not a number" so finiteness checks stay one comparison. */
function parseNumber(s: string): number {
  return tableNumber(s) ?? Number.NaN;
}

/** All values as numbers, or undefined as soon as one is not a finite number. */
function numericOrUndefined(values: string[]): Float64Array | undefined {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = parseNumber(values[i]!);
    if (!Number.isFinite(v)) return undefined;
    out[i] = v;
  }
  return out;
}

function numberColumn(values: string[], name: string, file: string, lines: number[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = parseNumber(values[i]!);
    if (!Number.isFinite(v)) {
      throw metricsError(
        'METRICS_CSV_INVALID',
        `${file}:${lines[i]}: column ${name} is ${JSON.stringify(values[i])}, not a finite number`,
        {
          file,
          line: lines[i],
          column: name,
        },
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Turns the columns of the `cairn metrics` CSV contract into metric input:
 * `y_true`, `y_pred`, optional `score` and `proba_<label>` columns. Labels are
 * numbers when every y_true and y_pred value is numeric, strings otherwise.
 */
export function metricsInputFromCsv(
  csv: CsvColumns,
  options: { task?: Task; posLabel?: string; file?: string } = {},
): MetricsInput {
  const file = options.file ?? 'input';
  const column = (name: string): string[] | undefined => {
    const index = csv.header.indexOf(name);
    return index < 0 ? undefined : csv.columns[index];
  };
  const yTrueRaw = column('y_true');
  const yPredRaw = column('y_pred');
  if (!yTrueRaw || !yPredRaw) {
    throw metricsError(
      'METRICS_CSV_INVALID',
      `${file}: missing column ${!yTrueRaw ? 'y_true' : 'y_pred'}; found ${JSON.stringify(csv.header)}`,
      { file, header: csv.header },
      'the CSV needs columns y_true, y_pred and optionally score or proba_<label>',
    );
  }
  if (csv.lines.length === 0) throw metricsError('METRICS_EMPTY_INPUT', `${file}: no data rows`, { file });
  if (options.task === 'regression') {
    // Checked here, where each value's line is known, rather than by sample index in computeMetrics.
    numberColumn(yTrueRaw, 'y_true', file, csv.lines);
    numberColumn(yPredRaw, 'y_pred', file, csv.lines);
  }
  const yTrueNumbers = numericOrUndefined(yTrueRaw);
  const yPredNumbers = yTrueNumbers && numericOrUndefined(yPredRaw);
  const numeric = yPredNumbers !== undefined;
  const input: MetricsInput = numeric
    ? { yTrue: yTrueNumbers!, yPred: yPredNumbers }
    : { yTrue: yTrueRaw, yPred: yPredRaw };
  if (options.task) input.task = options.task;
  const score = column('score');
  if (score) input.score = numberColumn(score, 'score', file, csv.lines);
  const probaNames = csv.header.filter((h) => h.startsWith('proba_'));
  if (probaNames.length > 0) {
    const labels = probaNames.map((h) => h.slice('proba_'.length));
    const numericProba = numeric && labels.every((l) => Number.isFinite(parseNumber(l)));
    input.proba = {
      labels: numericProba ? labels.map(parseNumber) : labels,
      columns: probaNames.map((h) => numberColumn(column(h)!, h, file, csv.lines)),
    };
  }
  if (options.posLabel !== undefined) {
    const asNumber = parseNumber(options.posLabel);
    input.posLabel = numeric && Number.isFinite(asNumber) ? asNumber : options.posLabel;
  }
  return input;
}
