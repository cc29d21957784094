import type { GateRule } from './generated/gate-rule';

/**
 * A per-metric gate, as written in model.json `gates`: the type is generated
 * from the schema, which also checks the rules when the config (or a rules
 * file) is read, so they are not checked again here. `min`/`max` are absolute bounds; `max_regression` is how
 * much worse than the baseline the metric may get, `min_improvement` how much
 * better it must get (both in the metric's own units, direction-aware);
 * `higher_is_better` defaults to what `higherIsBetter` infers from the name.
 */
export type { GateRule };

export interface CompareRow {
  metric: string;
  current: number;
  baseline?: number;
  delta?: number;
  /** The rule as text, e.g. "min 0.9, max_regression 0.02"; empty for metrics without a rule. */
  rule: string;
  passed: boolean;
  /** Why it failed, or a note (e.g. a baseline rule skipped on the first run). */
  reason?: string;
}

export interface CompareReport {
  passed: boolean;
  /** False when no baseline metrics were available (first run). */
  hasBaseline: boolean;
  rows: CompareRow[];
}

const LOWER_IS_BETTER = /(^|_)(loss|log_loss|error|errors|mae|mse|rmse|mape|brier|latency|time)(_|$)/i;

/** Losses and errors (loss, error, mae, mse, rmse, mape, brier, log_loss…) are lower-is-better; everything else higher. */
export function higherIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.test(metric);
}

/** Float noise allowed when comparing against a threshold (metrics are rounded to ~1e-15 anyway). */
const SLACK = 1e-12;

function describeRule(rule: GateRule, higher: boolean): string {
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`min ${rule.min}`);
  if (rule.max !== undefined) parts.push(`max ${rule.max}`);
  if (rule.max_regression !== undefined) parts.push(`max_regression ${rule.max_regression}`);
  if (rule.min_improvement !== undefined) parts.push(`min_improvement ${rule.min_improvement}`);
  if (!higher) parts.push('lower is better');
  return parts.join(', ');
}

const usable = (v: number | undefined): v is number => typeof v === 'number' && !Number.isNaN(v);

/**
 * The CI gate. Every metric with a rule is checked: `min`/`max` always;
 * `max_regression`/`min_improvement` only when a baseline value exists (on the
 * first run they are skipped with a note, and the gate can still pass). A ruled
 * metric that is missing or NaN in the current run fails. Metrics without a
 * rule are listed for information (they always pass).
 */
export function compareMetrics(
  current: Record<string, number>,
  baseline: Record<string, number> | undefined,
  rules: Record<string, GateRule>,
): CompareReport {
  const rows: CompareRow[] = [];
  for (const [metric, rule] of Object.entries(rules)) {
    const higher = rule.higher_is_better ?? higherIsBetter(metric);
    const value = current[metric];
    const base = baseline?.[metric];
    const row: CompareRow = { metric, current: value ?? NaN, rule: describeRule(rule, higher), passed: true };
    if (usable(base)) row.baseline = base;
    if (usable(value) && usable(base)) row.delta = value - base;
    const failures: string[] = [];
    const notes: string[] = [];
    if (!usable(value)) {
      failures.push(value === undefined ? 'missing from the current metrics' : 'current value is NaN');
    } else {
      if (rule.min !== undefined && value < rule.min - SLACK)
        failures.push(`${fmt(value)} is below min ${rule.min}`);
      if (rule.max !== undefined && value > rule.max + SLACK)
        failures.push(`${fmt(value)} is above max ${rule.max}`);
      const relative = rule.max_regression !== undefined || rule.min_improvement !== undefined;
      if (relative && !usable(base)) {
        notes.push(
          `no baseline value${baseline === undefined ? '' : ` for ${metric}`}: ${[rule.max_regression !== undefined ? 'max_regression' : '', rule.min_improvement !== undefined ? 'min_improvement' : ''].filter(Boolean).join(' and ')} skipped`,
        );
      } else if (relative && usable(base)) {
        const improvement = higher ? value - base : base - value;
        if (rule.max_regression !== undefined && -improvement > rule.max_regression + SLACK) {
          failures.push(
            `${higher ? 'dropped' : 'rose'} by ${fmt(Math.abs(improvement))}, more than max_regression ${rule.max_regression}`,
          );
        }
        if (rule.min_improvement !== undefined && improvement < rule.min_improvement - SLACK) {
          failures.push(`improved by ${fmt(improvement)}, less than min_improvement ${rule.min_improvement}`);
        }
      }
    }
    if (failures.length > 0) {
      row.passed = false;
      row.reason = failures.join('; ');
    } else if (notes.length > 0) {
      row.reason = notes.join('; ');
    }
    rows.push(row);
  }
  for (const [metric, value] of Object.entries(current)) {
    if (metric in rules || typeof value !== 'number') continue;
    const base = baseline?.[metric];
    const row: CompareRow = { metric, current: value, rule: '', passed: true };
    if (usable(base)) {
      row.baseline = base;
      if (usable(value)) row.delta = value - base;
    }
    rows.push(row);
  }
  return { passed: rows.every((r) => r.passed), hasBaseline: baseline !== undefined, rows };
}

function fmt(value: number | undefined): string {
  if (value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-4 || value === 0 ? value.toFixed(4) : value.toExponential(2);
}

function fmtDelta(delta: number | undefined): string {
  if (delta === undefined) return '—';
  return delta > 0 ? `+${fmt(delta)}` : fmt(delta);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface CompareContext {
  model: string;
  baseRef?: string;
  currentDataHashes?: Record<string, string>;
  baselineDataHashes?: Record<string, string>;
}

/** A Markdown report fit for a pull-request comment: verdict, metric table with deltas, and the data hashes of both runs. */
export function renderCompareMarkdown(report: CompareReport, context: CompareContext): string {
  const lines: string[] = [];
  const failed = report.rows.filter((r) => !r.passed).length;
  lines.push(
    `## ${report.passed ? '✅' : '❌'} Cairn gate for \`${context.model}\`: ${report.passed ? 'passed' : `failed (${failed} ${failed === 1 ? 'rule' : 'rules'})`}`,
    '',
  );
  const ref = context.baseRef ? `\`${context.baseRef}\`` : 'the baseline';
  lines.push(
    report.hasBaseline
      ? `Compared with the metrics committed at ${ref}.`
      : `No baseline metrics at ${ref} (first run): only absolute rules (min/max) were checked.`,
    '',
  );
  lines.push('| | metric | current | baseline | Δ | rule | note |', '|:-:|---|--:|--:|--:|---|---|');
  for (const row of report.rows) {
    const status = row.rule === '' ? '' : row.passed ? '✅' : '❌';
    lines.push(
      `| ${status} | ${escapeCell(row.metric)} | ${fmt(row.current)} | ${fmt(row.baseline)} | ${fmtDelta(row.delta)} | ${escapeCell(row.rule)} | ${escapeCell(row.reason ?? '')} |`,
    );
  }
  const names = [
    ...new Set([
      ...Object.keys(context.currentDataHashes ?? {}),
      ...Object.keys(context.baselineDataHashes ?? {}),
    ]),
  ].sort();
  if (names.length > 0) {
    lines.push('', '### Data', '', '| dataset | current | baseline | |', '|---|---|---|---|');
    for (const name of names) {
      const cur = context.currentDataHashes?.[name];
      const base = context.baselineDataHashes?.[name];
      const same =
        cur !== undefined && cur === base
          ? 'unchanged'
          : base === undefined
            ? 'new'
            : cur === undefined
              ? 'removed'
              : 'changed';
      lines.push(
        `| ${escapeCell(name)} | ${cur ? `\`${cur}\`` : '—'} | ${base ? `\`${base}\`` : '—'} | ${same} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A plain-text table for terminals and CI logs. */
export function renderCompareTable(report: CompareReport): string {
  const header = ['', 'metric', 'current', 'baseline', 'delta', 'rule', 'note'];
  const body = report.rows.map((r) => [
    r.rule === '' ? '' : r.passed ? 'PASS' : 'FAIL',
    r.metric,
    fmt(r.current),
    fmt(r.baseline),
    fmtDelta(r.delta),
    r.rule,
    r.reason ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    line(header),
    ...body.map(line),
    '',
    report.passed
      ? 'gate passed'
      : `gate FAILED: ${report.rows
          .filter((r) => !r.passed)
          .map((r) => r.metric)
          .join(', ')}`,
  ];
  return `${out.join('\n')}\n`;
}
