import type { Command } from 'commander';
import { printJson } from '../output';
import { fromCwd, workspaceRoot } from './add';
import { transferProgress } from './remote';

export function register(program: Command): void {
  program
    .command('push')
    .description('upload the store objects of tracked data that the remote lacks')
    .argument(
      '[paths...]',
      'tracked paths, pointer files or folders holding them (default: everything any pointer in the workspace refers to, trained artifacts under dist/cairn and in the Nx cache included)',
    )
    .option('-r, --remote <name>', 'remote to push to (default: defaultRemote in .cairn/config.json)')
    .option('-j, --jobs <n>', 'parallel transfers', (value) => Number.parseInt(value, 10), 8)
    .option('--json', 'print { remote, transferred, skipped, unavailable } as JSON')
    .addHelpText(
      'after',
      '\nOnly missing objects are sent (one query per 5,000 objects); an interrupted push resumes when run again.\nHTTP remotes read their token from CAIRN_REMOTE_TOKEN.',
    )
    .action(async (paths: string[], options: { remote?: string; jobs: number; json?: boolean }) => {
      const { openWorkspaceRemote, pushWorkspace } = await import('@cairn/remote');
      const root = await workspaceRoot();
      const { name, remote } = await openWorkspaceRemote(root, options.remote);
      const progress = transferProgress(options.json, `pushing to ${name}`);
      let result;
      try {
        result = await pushWorkspace(root, remote, paths.map(fromCwd), {
          concurrency: options.jobs,
          onProgress: progress.onProgress,
        });
      } finally {
        progress.stop();
        await remote.close();
      }
      if (result.unavailable.length > 0) process.exitCode = 1;
      if (options.json) {
        printJson({
          remote: name,
          transferred: result.transferred.length,
          skipped: result.skipped,
          unavailable: result.unavailable,
        });
        return;
      }
      const lines = [
        `pushed ${result.transferred.length} object(s) to ${name}, ${result.skipped} already there`,
      ];
      if (result.unavailable.length > 0) {
        lines.push(
          `${result.unavailable.length} object(s) are not in the local cache (run \`cairn verify\` or re-add the data):`,
        );
        lines.push(...result.unavailable.map((id) => `  ${id}`));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
