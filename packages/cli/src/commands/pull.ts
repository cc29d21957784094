import type { Command } from 'commander';
import { printJson } from '../output';
import { fromCwd, workspaceRoot } from './add';
import { printCheckoutWarnings } from './checkout';
import { transferProgress } from './remote';

export function register(program: Command): void {
  program
    .command('pull')
    .description(
      'download the store objects of tracked data the local cache lacks, verify them, then check the data out',
    )
    .argument(
      '[paths...]',
      'tracked paths, pointer files or folders holding them (default: the whole workspace)',
    )
    .option('-r, --remote <name>', 'remote to pull from (default: defaultRemote in .cairn/config.json)')
    .option('-j, --jobs <n>', 'parallel transfers', (value) => Number.parseInt(value, 10), 8)
    .option('--no-checkout', 'only fill the cache; leave the working tree alone')
    .option('--json', 'print { remote, transferred, skipped, unavailable, restored } as JSON')
    .addHelpText(
      'after',
      '\nEvery object is BLAKE3-verified before it enters the cache. An interrupted pull resumes when run again.\nHTTP remotes read their token from CAIRN_REMOTE_TOKEN.',
    )
    .action(
      async (
        paths: string[],
        options: { remote?: string; jobs: number; checkout: boolean; json?: boolean },
      ) => {
        const { checkoutRepairing, openWorkspaceRemote, pullWorkspace } = await import('@cairn/remote');
        const root = await workspaceRoot();
        const selection = paths.length > 0 ? paths.map(fromCwd) : undefined;
        const { name, remote } = await openWorkspaceRemote(root, options.remote);
        const progress = transferProgress(options.json, `pulling from ${name}`);
        let result;
        let restored: string[] = [];
        try {
          try {
            result = await pullWorkspace(root, remote, selection, {
              concurrency: options.jobs,
              onProgress: progress.onProgress,
            });
          } finally {
            progress.stop();
          }
          if (result.unavailable.length > 0) process.exitCode = 1;
          else if (options.checkout) {
            // Placement goes through the same verified checkout: a corrupt local object is fetched again.
            const checkedOut = await checkoutRepairing(root, selection, {}, remote);
            printCheckoutWarnings(checkedOut);
            restored = checkedOut.restored;
          }
        } finally {
          await remote.close();
        }
        if (options.json) {
          printJson({
            remote: name,
            transferred: result.transferred.length,
            skipped: result.skipped,
            unavailable: result.unavailable,
            restored,
          });
          return;
        }
        const lines = [
          `pulled ${result.transferred.length} object(s) from ${name}, ${result.skipped} already cached`,
        ];
        lines.push(...restored.map((path) => `restored ${path}`));
        if (result.unavailable.length > 0) {
          lines.push(
            `${result.unavailable.length} object(s) are not on ${name} (push them from a machine that has them); nothing checked out:`,
          );
          lines.push(...result.unavailable.map((id) => `  ${id}`));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );
}
