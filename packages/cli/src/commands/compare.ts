import type { Command } from 'commander';
import type { CompareFilesOptions } from '@cairn/pipeline/files';
import { printJson } from '../output';

interface CompareCommandOptions extends CompareFilesOptions {
  markdown?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'Gate metrics against a baseline (a file, or the same file at a git ref) with per-metric rules; exits 1 when a rule fails',
    )
    .requiredOption('--current <file>', 'metrics JSON of this run (flat, or { metrics, data })')
    .option('--baseline <file>', 'baseline metrics JSON')
    .option('--base-ref <ref>', 'read the baseline from git at this branch, tag or commit (no checkout)')
    .option('--path <file>', 'path of the metrics file in the repository for --base-ref (default: --current)')
    .requiredOption(
      '--rules <file>',
      'gate rules: { metric: { min, max, max_regression, min_improvement } } or a model.json with gates',
    )
    .option('--model <name>', 'name shown in the report')
    .option('--markdown <file>', 'write a Markdown report for a pull-request comment')
    .option('--json', 'print the comparison as JSON')
    .action(async (options: CompareCommandOptions) => {
      const [{ compareFiles }, { renderCompareTable }, { writeFileAtomic }] = await Promise.all([
        import('@cairn/pipeline/files'),
        import('@cairn/evaluation'),
        import('@cairn/fs-atomic'),
      ]);
      const { report, markdown } = await compareFiles(options);
      if (options.markdown) await writeFileAtomic(options.markdown, markdown);
      if (options.json) printJson(report);
      else process.stdout.write(renderCompareTable(report));
      if (!report.passed) process.exitCode = 1;
    });
}
