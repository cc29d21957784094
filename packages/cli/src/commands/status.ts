import type { Command } from 'commander';
import type { StatusEntry } from '@cairn/store';
import { printJson } from '../output';
import { display, fromCwd, workspaceRoot } from './add';

const LABELS: Record<StatusEntry['state'], string> = {
  modified: 'modified:    ',
  missing: 'missing:     ',
  'not-in-cache': 'not in cache:',
  clean: 'clean:       ',
};

const HINTS: Partial<Record<StatusEntry['state'], string>> = {
  modified: 'cairn add <path> to record the change, cairn checkout --force <path> to discard it',
  missing: 'cairn checkout to restore',
  'not-in-cache': 'cairn pull to fetch the objects (or cairn add if you have the data)',
};

function describe(entry: StatusEntry): string {
  if (!entry.changes) return '';
  const { added, modified, deleted } = entry.changes;
  const parts = [
    added.length > 0 ? `${added.length} added` : '',
    modified.length > 0 ? `${modified.length} modified` : '',
    deleted.length > 0 ? `${deleted.length} deleted` : '',
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export function register(program: Command): void {
  program
    .command('status')
    .description('compare tracked data with its pointers: clean, modified, missing or not in cache')
    .argument(
      '[paths...]',
      'tracked paths, pointer files or folders holding them (default: the whole workspace)',
    )
    .option('--all', 'also list clean paths')
    .option('--check', 'exit with status 1 unless every path is clean')
    .option(
      '--json',
      'print [{ path, pointerFile, state, hash, actualHash?, inCache, changes?, corruptShared? }] as JSON',
    )
    .action(async (paths: string[], options: { all?: boolean; check?: boolean; json?: boolean }) => {
      const { status } = await import('@cairn/store');
      const root = await workspaceRoot();
      const entries = await status(root, paths.length > 0 ? paths.map(fromCwd) : undefined);
      if (options.check && entries.some((entry) => entry.state !== 'clean')) process.exitCode = 1;
      if (options.json) {
        printJson(entries);
        return;
      }
      const shown = options.all ? entries : entries.filter((entry) => entry.state !== 'clean');
      const lines = shown.map(
        (entry) => `  ${LABELS[entry.state]} ${display(root, entry.path)}${describe(entry)}`,
      );
      const shared = entries.flatMap((entry) => entry.corruptShared ?? []);
      for (const item of shared) {
        lines.push(
          `  corrupt in store: object ${item.id} shares its inode with ${display(root, item.path)}, which was edited in place`,
        );
      }
      if (shared.length > 0) {
        process.exitCode = 1;
        lines.push(
          '  (cairn verify --quarantine, then cairn pull or cairn add; check out with copies, not hardlinks)',
        );
      }
      const clean = entries.length - entries.filter((entry) => entry.state !== 'clean').length;
      const hints = [...new Set(shown.map((entry) => HINTS[entry.state]).filter(Boolean))].map(
        (hint) => `  (${hint})`,
      );
      process.stdout.write(
        [...lines, ...hints, `${entries.length} tracked, ${clean} clean`].join('\n') + '\n',
      );
    });
}
