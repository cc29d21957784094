import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import { printJson } from '../output';
import { workspaceRoot } from './add';

interface SynthCommandOptions {
  dataset?: string;
  spec?: string;
  rows?: string;
  seed?: string;
  out?: string;
  edgeCases?: boolean;
  json?: boolean;
}

function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) {
    throw cairnError('OPTION_INVALID', `--${option} ${value}: must be a whole number ≥ 0`, {
      data: { option, value },
    });
  }
  return n;
}

export function register(program: Command): void {
  program
    .command('synth')
    .description(
      "write a synthetic dataset that passes a dataset's validation spec (types, ranges, categories, nulls, keys, class balance, row schema), for testing model code",
    )
    .option('--dataset <name>', 'the dataset project whose spec to follow')
    .option('--spec <file>', 'a dataset.json or standalone spec file (then --out is required)')
    .option('--rows <n>', "rows to write (default 100, moved into the spec's rows range)")
    .option('--seed <n>', 'random seed: the same spec, rows and seed write the same bytes', '1')
    .option('--out <file>', 'output file; its extension picks the format unless the spec declares one')
    .option(
      '--edge-cases',
      'put every declared boundary, empty strings, nulls where allowed and a rare class first',
    )
    .option('--json', 'print { file, format, rows, columns, seed } as JSON')
    .addHelpText(
      'after',
      '\nDefault output for --dataset: dist/cairn/<dataset folder>/synth/<data file name>. See docs/testing.md.',
    )
    .action(async (options: SynthCommandOptions) => {
      const { synthesizeData } = await import('@cairn/pipeline');
      const result = await synthesizeData({
        workspaceRoot: options.dataset !== undefined ? await workspaceRoot() : process.cwd(),
        ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
        ...(options.spec !== undefined ? { spec: options.spec } : {}),
        ...(options.out !== undefined ? { out: options.out } : {}),
        rows: wholeNumber('rows', options.rows),
        seed: wholeNumber('seed', options.seed),
        edgeCases: options.edgeCases ?? false,
      });
      if (options.json) printJson(result);
      else
        process.stdout.write(
          `wrote ${result.file}: ${result.rows} row${result.rows === 1 ? '' : 's'} × ${result.columns.length} columns (${result.format}, seed ${result.seed})\n`,
        );
    });
}
