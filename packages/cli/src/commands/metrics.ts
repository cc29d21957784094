import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import type { MetricsReport, Task } from '@cairn/metrics';
import { printJson } from '../output';

const TASKS: Task[] = ['binary', 'multiclass', 'regression'];

interface MetricsOptions {
  task?: string;
  posLabel?: string;
  json?: boolean;
  curves?: boolean;
}

/** Reads a predictions CSV and computes the `cairn metrics` report. */
async function metricsForFile(file: string, options: MetricsOptions = {}): Promise<MetricsReport> {
  if (options.task !== undefined && !TASKS.includes(options.task as Task)) {
    throw cairnError('OPTION_INVALID', `--task ${options.task}: must be one of ${TASKS.join(', ')}`, {
      data: { option: 'task', value: options.task },
    });
  }
  // Loaded here: every other command (status, add…) starts without the metrics code.
  const [{ computeMetrics, metricsInputFromCsv }, { readCsvColumns }] = await Promise.all([
    import('@cairn/metrics'),
    import('@cairn/table'),
  ]);
  const csv = readCsvColumns(file);
  const input = metricsInputFromCsv(csv, {
    file,
    task: options.task as Task | undefined,
    posLabel: options.posLabel,
  });
  return computeMetrics({ ...input, curves: options.curves ?? false });
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  return String(value);
}

/** Longest label the text report prints in full; `--json` always has the whole label. */
export const MAX_LABEL_CHARS = 40;

/**
 * A label as the text table shows it: tables pad every cell to the longest
 * label, so a multi-megabyte label would multiply into gigabytes (and a
 * RangeError); longer labels keep a prefix and their length.
 */
function displayLabel(label: string): string {
  return label.length > MAX_LABEL_CHARS
    ? `${label.slice(0, MAX_LABEL_CHARS)}…(${label.length} chars)`
    : label;
}

/** Human-readable report: scalar metrics, then the confusion matrix and per-class table. */
export function renderMetricsText(report: MetricsReport): string {
  const lines: string[] = [];
  const scalars = Object.entries(report).filter(
    ([k, v]) => k !== 'pos_label' && (typeof v === 'number' || v === null),
  );
  const width = Math.max(...scalars.map(([k]) => k.length));
  lines.push(`task: ${report.task}`);
  for (const [key, value] of scalars) lines.push(`${key.padEnd(width)}  ${formatValue(value)}`);
  if (report.task !== 'regression') {
    if (report.pos_label !== undefined)
      lines.push(`${'pos_label'.padEnd(width)}  ${displayLabel(String(report.pos_label))}`);
    const labels = report.labels.map(String);
    const names = labels.map(displayLabel);
    const cell = Math.max(
      6,
      ...names.map((n) => n.length),
      ...report.confusion_matrix.flat().map((v) => String(v).length),
    );
    lines.push('', 'confusion matrix (rows: true, columns: predicted)');
    lines.push(`${''.padEnd(cell)} ${names.map((n) => n.padStart(cell)).join(' ')}`);
    report.confusion_matrix.forEach((row, i) =>
      lines.push(`${names[i]!.padEnd(cell)} ${row.map((v) => String(v).padStart(cell)).join(' ')}`),
    );
    lines.push(
      '',
      `${'label'.padEnd(cell)} ${['precision', 'recall', 'f1', 'support'].map((h) => h.padStart(10)).join(' ')}`,
    );
    for (const [i, name] of names.entries()) {
      const m = report.per_class[labels[i]!]!;
      lines.push(
        `${name.padEnd(cell)} ${[m.precision, m.recall, m.f1].map((v) => v.toFixed(4).padStart(10)).join(' ')} ${String(m.support).padStart(10)}`,
      );
    }
    for (const [key, reason] of Object.entries(report.warnings ?? {}))
      lines.push(`warning: ${displayLabel(key)}: ${reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('metrics')
    .description(
      'Compute scikit-learn-compatible metrics from a predictions CSV (columns y_true, y_pred, optional score or proba_<label>)',
    )
    .argument('<file>', 'CSV file with a header row')
    .option('--task <task>', `binary, multiclass or regression (inferred when omitted)`)
    .option(
      '--pos-label <label>',
      'positive label for binary metrics (default: the greater of the two labels)',
    )
    .option('--curves', 'include ROC and precision-recall curve points (binary)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: MetricsOptions) => {
      const report = await metricsForFile(file, options);
      if (options.json) printJson(report);
      else process.stdout.write(renderMetricsText(report));
    });
}
