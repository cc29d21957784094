import type { Command } from 'commander';
import type { RecordedRun, ReproduceReport } from '@cairn/pipeline';
import { printJson } from '../output';
import { workspaceRoot } from './add';

export function renderReproduceReport(report: ReproduceReport): string {
  const lines = [
    `${report.status === 'reproduced' ? 'reproduced' : 'DIFFERS'}: run ${report.run} of ${report.project} at ${report.commit.slice(0, 12)}, artifact ${report.artifact.reproduced.slice(0, 12)}${report.status === 'reproduced' ? ' (same hash, same metrics)' : ''}`,
  ];
  const table = (title: string, rows: ReproduceReport['differences']) => {
    if (rows.length === 0) return;
    lines.push(title);
    for (const row of rows)
      lines.push(
        `  ${row.metric}: recorded ${JSON.stringify(row.recorded)}, reproduced ${JSON.stringify(row.reproduced)}`,
      );
  };
  table('differences (metric, recorded, reproduced):', report.differences);
  table('environment changed since the record:', report.environment);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

function renderRuns(runs: RecordedRun[]): string {
  if (runs.length === 0) return 'no recorded runs\n';
  return runs
    .map(
      ({ id, record }) =>
        `${id}  ${record.startedAt}  ${record.project.padEnd(24)} ${record.git?.commit.slice(0, 12) ?? '(no commit)'}  artifact ${record.artifact.hash.slice(0, 12)}\n`,
    )
    .join('');
}

/** The reproduce verb, shared by `cairn reproduce` and the `reproduce` target (`cairn task reproduce`). */
export async function runReproduce(target: string, options: { json?: boolean }): Promise<void> {
  const { assertReproduced, reproduce } = await import('@cairn/pipeline');
  const report = await reproduce({ workspaceRoot: await workspaceRoot(), target });
  if (options.json) printJson(report);
  else process.stdout.write(renderReproduceReport(report));
  assertReproduced(report);
}

export function register(program: Command): void {
  program
    .command('reproduce')
    .description(
      're-run a recorded training in a clean checkout of its commit with the recorded data (no Nx cache) and compare the artifact hash and every metric with the record',
    )
    .argument('[run]', 'a run id (prefix) or a project name (its latest run)')
    .option('--list', 'list the recorded runs with their ids instead')
    .option('--json', 'print the report (or the list) as JSON')
    .addHelpText(
      'after',
      '\nExit status: 0 reproduced, 1 differs (the differences are listed), 3 could not run (no such run, no commit, data or history missing, the command failed), 2 bad usage.\nSee docs/testing.md#reproducibility.',
    )
    .action(async (target: string | undefined, options: { list?: boolean; json?: boolean }) => {
      if (options.list || target === undefined) {
        const { listRuns } = await import('@cairn/pipeline');
        const runs = (await listRuns(await workspaceRoot())).filter(
          (run) => target === undefined || run.record.project === target,
        );
        if (options.json) printJson(runs.map(({ id, source, record }) => ({ id, source, ...record })));
        else process.stdout.write(renderRuns(runs));
        return;
      }
      await runReproduce(target, options);
    });
}
