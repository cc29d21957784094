import type { Command } from 'commander';
import { TEST_NAMES } from '@cairn/drift/test-names';
import { printJson } from '../output';
import type { DriftCommandOptions } from './drift-run';

// Only the command's definition loads at start-up; its implementation (./drift-run) loads when it runs.
export function register(program: Command): void {
  program
    .command('drift')
    .description(
      'Compare a current CSV sample with a reference one, column by column (tests and defaults as Evidently, statistics as scipy)',
    )
    .option('--reference <file>', 'reference CSV (header row), e.g. the training data')
    .option('--current <file>', 'current CSV (header row), e.g. new data or logged requests')
    .option(
      '--test <name>',
      `one test for every column: ${TEST_NAMES.join(', ')} (default: chosen per column as Evidently does)`,
    )
    .option(
      '--column <name>',
      'column to test (repeatable; default: every column in both files)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--categorical <name>',
      'compare this column as categories even if its values are numbers (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--threshold <x>',
      'threshold for every column (p-value tests: drift when p < x; distances: drift when >= x; see docs/drift.md for the two exceptions)',
    )
    .option('--share <x>', 'share of drifted columns at which the dataset drifts (default 0.5)')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write a self-contained HTML report')
    .action(async (options: DriftCommandOptions) => {
      const { runDriftCommand, renderDriftText } = await import('./drift-run.js');
      const report = await runDriftCommand(options);
      if (options.json) printJson(report);
      else process.stdout.write(renderDriftText(report));
      if (report.drift) process.exitCode = 1;
    });
}
