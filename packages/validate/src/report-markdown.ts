import { join } from 'node:path';
import { writeFileAtomic } from '@cairn/fs-atomic';
import type { ValidationReport, Violation } from './validate';

export interface MarkdownContext {
  /** Dataset name shown in the title. */
  dataset?: string;
  /** The spec's file, shown under the title. */
  specFile?: string;
  /** Violations listed (the rest are counted). Default 50. */
  maxViolations?: number;
}

/** Escapes a table cell: pipes, newlines and backticks must not break the table. */
function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, "'");
}

function code(value: unknown): string {
  const text = cell(value);
  return text === '' ? '' : `\`${text}\``;
}

function violationRow(v: Violation): string {
  const severity = v.severity === 'error' ? '❌ error' : '⚠️ warning';
  return `| ${v.row ?? ''} | ${cell(v.column)} | ${v.rule} | ${severity} | ${code(v.value)} | ${cell(v.message)} |`;
}

/** A report fit for a PR comment or a CI summary: verdict, counts per rule, PII findings, first violations. */
export function renderReportMarkdown(report: ValidationReport, context: MarkdownContext = {}): string {
  const limit = context.maxViolations ?? 50;
  const verdict = report.ok ? '✅ passed' : '❌ failed';
  const lines: string[] = [];
  lines.push(`## Data validation${context.dataset ? ` — ${cell(context.dataset)}` : ''}: ${verdict}`);
  lines.push('');
  lines.push(
    `\`${cell(report.file)}\` (${report.format}, ${report.rows.toLocaleString('en-US')} rows, ${report.bytes.toLocaleString('en-US')} bytes)` +
      `${context.specFile ? ` against \`${cell(context.specFile)}\`` : ''}: **${report.errors} error${report.errors === 1 ? '' : 's'}**, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}.`,
  );
  const rules = Object.entries(report.summary);
  if (rules.length > 0) {
    const bySeverity = new Map<string, { errors: number; warnings: number }>();
    for (const v of report.violations) {
      const entry = bySeverity.get(v.rule) ?? { errors: 0, warnings: 0 };
      if (v.severity === 'error') entry.errors++;
      else entry.warnings++;
      bySeverity.set(v.rule, entry);
    }
    lines.push('', '| rule | violations | severity |', '|---|---:|---|');
    for (const [rule, count] of rules.sort((a, b) => b[1] - a[1])) {
      const seen = bySeverity.get(rule);
      const severity = seen
        ? [seen.errors ? 'error' : '', seen.warnings ? 'warning' : ''].filter(Boolean).join(', ')
        : '';
      lines.push(`| ${rule} | ${count.toLocaleString('en-US')} | ${severity} |`);
    }
  }
  if (report.pii.length > 0) {
    lines.push(
      '',
      '### Personal data found',
      '',
      '| column | kind | values | first rows | example (masked) |',
      '|---|---|---:|---|---|',
    );
    for (const finding of report.pii) {
      lines.push(
        `| ${cell(finding.column)} | ${finding.kind} | ${finding.count.toLocaleString('en-US')} | ${finding.rows.join(', ')} | ${code(finding.example)} |`,
      );
    }
  }
  if (report.classes) {
    const total = Object.values(report.classes).reduce((a, b) => a + b, 0);
    lines.push('', '### Label classes', '', '| class | rows | share |', '|---|---:|---:|');
    for (const [name, count] of Object.entries(report.classes)) {
      lines.push(
        `| ${cell(name)} | ${count.toLocaleString('en-US')} | ${total ? ((count / total) * 100).toFixed(1) : '0.0'}% |`,
      );
    }
  }
  if (report.violations.length > 0) {
    const shown = report.violations.slice(0, limit);
    lines.push(
      '',
      '### Violations',
      '',
      '| row | column | rule | severity | value | message |',
      '|---:|---|---|---|---|---|',
    );
    for (const v of shown) lines.push(violationRow(v));
    const total = report.errors + report.warnings;
    if (total > shown.length)
      lines.push('', `_${(total - shown.length).toLocaleString('en-US')} more not listed._`);
  }
  lines.push('', '_Rows are 1-based data rows; the CSV header is not counted._', '');
  return lines.join('\n');
}

/**
 * Writes `<dir>/validation-report.json` and `<dir>/validation-report.md`
 * atomically (the files the Nx `validate` target caches as outputs).
 */
export async function writeValidationReports(
  report: ValidationReport,
  dir: string,
  context: MarkdownContext = {},
): Promise<{ json: string; markdown: string }> {
  const json = join(dir, 'validation-report.json');
  const markdown = join(dir, 'validation-report.md');
  await writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(markdown, renderReportMarkdown(report, context));
  return { json, markdown };
}
