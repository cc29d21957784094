import type { Command } from 'commander';
import { printJson } from '../output';
import { fromCwd, workspaceRoot } from './add';
import { openConfiguredRemote, transferProgress } from './remote';

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
      '\nEvery object is BLAKE3-verified before it enters the cache. An interrupted pull resumes when run again.',
    )
    .action(
      async (
        paths: string[],
        options: { remote?: string; jobs: number; checkout: boolean; json?: boolean },
      ) => {
        const { selectPointers, referencedObjects, loadLayout, checkout } = await import('@cairn/store');
        const { pullObjects } = await import('@cairn/remote');
        const root = await workspaceRoot();
        const selection = paths.length > 0 ? paths.map(fromCwd) : undefined;
        const pointers = (await selectPointers(root, selection)).map((record) => record.pointer);
        const { cacheDir } = await loadLayout(root);
        const { name, remote } = await openConfiguredRemote(root, options.remote);
        const progress = transferProgress(options.json, `pulling from ${name}`);
        let transferred = 0;
        let skipped = 0;
        const unavailable: string[] = [];
        try {
          // Pointer objects first: a folder's file list is in its `.dir` manifest, which must arrive before its files can be named.
          const top = [...new Set(pointers.map((pointer) => pointer.hash))];
          const first = await pullObjects(cacheDir, top, remote, {
            concurrency: options.jobs,
            onProgress: progress.onProgress,
          });
          const members = (await referencedObjects(root, pointers)).filter((id) => !top.includes(id));
          const second = await pullObjects(cacheDir, members, remote, {
            concurrency: options.jobs,
            onProgress: progress.onProgress,
          });
          for (const result of [first, second]) {
            transferred += result.transferred.length;
            skipped += result.skipped;
            unavailable.push(...result.unavailable);
          }
        } finally {
          progress.stop();
          await remote.close();
        }
        let restored: string[] = [];
        if (unavailable.length > 0) process.exitCode = 1;
        else if (options.checkout && pointers.length > 0)
          restored = (await checkout(root, selection)).restored;
        if (options.json) {
          printJson({ remote: name, transferred, skipped, unavailable, restored });
          return;
        }
        const lines = [`pulled ${transferred} object(s) from ${name}, ${skipped} already cached`];
        lines.push(...restored.map((path) => `restored ${path}`));
        if (unavailable.length > 0) {
          lines.push(
            `${unavailable.length} object(s) are not on ${name} (push them from a machine that has them); nothing checked out:`,
          );
          lines.push(...unavailable.map((id) => `  ${id}`));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );
}
