import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parsePort } from './serve';
import { workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write the experiments report: one self-contained HTML file (table, parallel coordinates, curves, confusion matrices, ROC/PR, importance, lineage), no network needed',
    )
    .option('--out <dir>', 'folder to write index.html into', 'dist/cairn/report')
    .action(async (options: { out: string }) => {
      const { writeExperimentReport } = await import('@cairn/pipeline');
      const root = await workspaceRoot();
      const file = await writeExperimentReport(root, resolve(process.cwd(), options.out));
      process.stdout.write(`wrote ${file}\n`);
    });

  program
    .command('ui')
    .description('serve the experiments report on localhost, rebuilt from the records on every page load')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 4242)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const { startReportServer } = await import('@cairn/pipeline');
      const { url } = await startReportServer(await workspaceRoot(), options);
      process.stdout.write(`cairn ui: ${url} (Ctrl-C to stop)\n`);
    });
}
