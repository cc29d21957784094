import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import { writeFileAtomic } from '@cairn/fs-atomic';
import type { ValidationReport } from '@cairn/validate';
import { createProgress, printJson } from '../output';

interface ValidateCommandOptions {
  spec?: string;
  json?: boolean;
  report?: string;
  reportJson?: string;
  maxViolations?: string;
  show?: string;
}

function positiveInteger(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw cairnError('OPTION_INVALID', `--${option} ${value}: must be a whole number ≥ 0`, {
      data: { option, value },
    });
  }
  return n;
}

export function renderReportText(report: ValidationReport, show: number): string {
  const lines = [
    `${report.ok ? 'ok' : 'FAILED'}: ${report.file} (${report.format}, ${report.rows} rows): ${report.errors} error(s), ${report.warnings} warning(s)`,
  ];
  for (const [rule, count] of Object.entries(report.summary)) lines.push(`  ${rule}: ${count}`);
  for (const finding of report.pii) {
    lines.push(
      `  pii ${finding.kind} in ${finding.column}: ${finding.count} (rows ${finding.rows.join(', ')}…), e.g. ${finding.example}`,
    );
  }
  for (const v of report.violations.slice(0, show)) {
    const where = [
      v.row !== undefined ? `row ${v.row}` : '',
      v.line !== undefined ? `line ${v.line}` : '',
      v.column !== undefined ? `column ${v.column}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`${v.severity} [${v.rule}]${where ? ` ${where}` : ''}: ${v.message}`);
  }
  const total = report.errors + report.warnings;
  if (total > Math.min(show, report.violations.length))
    lines.push(`… ${total - Math.min(show, report.violations.length)} more (see --json or --report)`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'check a data file (CSV, JSON, JSON Lines) against its dataset spec: types, nulls, ranges, categories, keys, rows, class balance, row schema, personal data',
    )
    .argument('<data>', 'the data file')
    .option(
      '--spec <file>',
      'dataset.json with a "validation" section, or a standalone spec (default: the dataset.json of the project holding the data)',
    )
    .option('--json', 'print the full report as JSON')
    .option('--report <file.md>', 'also write the report as Markdown (for a PR comment or CI summary)')
    .option('--report-json <file.json>', 'also write the report as JSON')
    .option('--max-violations <n>', 'violations kept in the report (all are counted)', '1000')
    .option('--show <n>', 'violations printed in the text output', '20')
    .addHelpText(
      'after',
      '\nExit status: 0 valid (warnings allowed), 1 a rule with severity "error" is broken, 2 bad input.\nRows are 1-based data rows (the CSV header is not counted). See docs/validation.md.',
    )
    .action(async (data: string, options: ValidateCommandOptions) => {
      const maxViolations = positiveInteger('max-violations', options.maxViolations, 1000);
      const show = positiveInteger('show', options.show, 20);
      const [{ validateFile }, { renderReportMarkdown }] = await Promise.all([
        import('@cairn/pipeline/files'),
        import('@cairn/validate'),
      ]);
      const size = await stat(data)
        .then((s) => s.size)
        .catch(() => 0);
      const progress = createProgress({ json: options.json, label: 'validating' });
      if (size > 64 * 1024 * 1024) progress.start(Math.ceil(size / 1048576));
      let reported = 0;
      let validated: Awaited<ReturnType<typeof validateFile>>;
      try {
        validated = await validateFile(data, {
          spec: options.spec,
          maxViolations,
          onProgress: (bytes) => {
            const mib = Math.floor(bytes / 1048576);
            progress.tick(mib - reported);
            reported = mib;
          },
        });
      } finally {
        progress.stop();
      }
      const { report, specFile } = validated;
      if (options.report) await writeFileAtomic(options.report, renderReportMarkdown(report, { specFile }));
      if (options.reportJson)
        await writeFileAtomic(options.reportJson, `${JSON.stringify(report, null, 2)}\n`);
      if (options.json) printJson(report);
      else process.stdout.write(renderReportText(report, show));
      if (!report.ok) process.exitCode = 1;
    });
}
