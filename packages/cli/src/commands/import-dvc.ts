import type { Command } from 'commander';
import { printJson } from '../output';
import { workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('import-dvc')
    .description(
      "import a DVC 2.x/3.x project here: outputs from DVC's cache into Cairn's store (md5-verified, pointers keep DVC's md5), CSV/JSON outputs as dataset projects, a report per dvc.yaml stage; DVC's files are only read",
    )
    .option('--json', 'print the import report as JSON')
    .action(async (options: { json?: boolean }) => {
      const { importDvc } = await import('@cairn/pipeline');
      const report = await importDvc({ workspaceRoot: await workspaceRoot() });
      if (options.json) printJson(report);
      else {
        for (const output of report.outputs) {
          const detail =
            output.status === 'imported'
              ? `${output.pointer}${output.dataset ? `, dataset ${output.dataset}` : ''}`
              : `${output.error!.code}: ${output.error!.message}`;
          process.stdout.write(
            `${output.status === 'imported' ? 'imported' : 'FAILED  '} ${output.path}  ${detail}\n`,
          );
        }
        for (const stage of report.stages) {
          process.stdout.write(
            `stage ${stage.stage}: ${stage.mapped ? `model ${stage.model}` : `not mapped — ${stage.reasons.join('; ')}`}\n`,
          );
        }
      }
      // Outputs that could not be imported are store failures (exit 2); the others stay imported.
      if (report.outputs.some((output) => output.status === 'failed')) process.exitCode = 2;
    });
}
