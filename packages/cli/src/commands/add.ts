import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { StoreProgress } from '@cairn/store';
import { createProgress, printJson } from '../output';

/** Human-readable byte count (binary units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Feeds store progress events (phases with their own totals) into one terminal progress bar per phase. */
export function storeProgress(json: boolean | undefined): {
  onProgress: (event: StoreProgress) => void;
  stop: () => void;
} {
  let phase: string | undefined;
  let bar = createProgress({ json, label: 'hashing' });
  let last = 0;
  return {
    onProgress(event) {
      if (event.total < 200) return; // not worth a bar
      if (event.phase !== phase) {
        bar.stop();
        bar = createProgress({ json, label: event.phase === 'hash' ? 'hashing' : 'storing' });
        bar.start(event.total);
        phase = event.phase;
        last = 0;
      }
      bar.tick(event.done - last);
      last = event.done;
    },
    stop: () => bar.stop(),
  };
}

/** The workspace root for the current directory. */
export async function workspaceRoot(): Promise<string> {
  const { findWorkspaceRoot } = await import('@cairn/store');
  return findWorkspaceRoot(process.cwd());
}

/** A user path (relative to the current directory) as the store expects it: absolute. */
export function fromCwd(path: string): string {
  return resolve(process.cwd(), path);
}

/** A path under the root, shown relative to the current directory. */
export function display(root: string, rootRelative: string): string {
  return relative(process.cwd(), resolve(root, rootRelative)) || '.';
}

export function register(program: Command): void {
  program
    .command('add')
    .description(
      'track files or folders: store their content in the cache, write <path>.cairn beside each and add the path to .gitignore',
    )
    .argument('<paths...>', 'files or folders inside the workspace (relative to the current directory)')
    .option('--no-gitignore', 'do not add the paths to .gitignore')
    .option('--json', 'print the pointers written as JSON')
    .addHelpText(
      'after',
      '\nCommit the .cairn pointer files to git; the data itself stays out of git.\nRe-running add on unchanged data is cheap: the stat cache skips unchanged files.',
    )
    .action(async (paths: string[], options: { gitignore: boolean; json?: boolean }) => {
      const { add, pointerFileFor } = await import('@cairn/store');
      const root = await workspaceRoot();
      const progress = storeProgress(options.json);
      const absolute = paths.map(fromCwd);
      let pointers;
      try {
        pointers = await add(root, absolute, {
          gitignore: options.gitignore,
          onProgress: progress.onProgress,
        });
      } finally {
        progress.stop();
      }
      if (options.json) {
        printJson(
          pointers.map((pointer, index) => ({
            ...pointer,
            pointerFile: relative(root, pointerFileFor(absolute[index]!)).split('\\').join('/'),
          })),
        );
        return;
      }
      for (const [index, pointer] of pointers.entries()) {
        const what =
          pointer.nfiles === undefined
            ? formatBytes(pointer.size)
            : `${pointer.nfiles} files, ${formatBytes(pointer.size)}`;
        process.stdout.write(
          `added ${relative(process.cwd(), absolute[index]!)} (${what}) -> ${relative(process.cwd(), pointerFileFor(absolute[index]!))}\n`,
        );
      }
    });
}
