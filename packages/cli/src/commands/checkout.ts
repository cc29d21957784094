import { Option, type Command } from 'commander';
import type { LinkStrategy } from '@cairn/store';
import { printJson } from '../output';
import { display, fromCwd, workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('checkout')
    .description(
      'restore tracked data from the cache (missing data, and files deleted inside tracked folders)',
    )
    .argument(
      '[paths...]',
      'tracked paths, pointer files or folders holding them (default: the whole workspace)',
    )
    .addOption(
      new Option(
        '--link <strategy>',
        'how to place files (default: cache.link in .cairn/config.json, reflink then hardlink then copy)',
      ).choices(['reflink', 'hardlink', 'symlink', 'copy']),
    )
    .option('-f, --force', 'replace modified data (local changes are lost)')
    .option('--json', 'print { restored, unchanged, links } as JSON')
    .addHelpText(
      'after',
      '\nHardlinked and symlinked files share the read-only cache object: edit them only after\n`cairn unprotect <path>` (or check out with --link copy).',
    )
    .action(async (paths: string[], options: { link?: LinkStrategy; force?: boolean; json?: boolean }) => {
      const { checkout } = await import('@cairn/store');
      const root = await workspaceRoot();
      const result = await checkout(root, paths.length > 0 ? paths.map(fromCwd) : undefined, {
        link: options.link ? [options.link] : undefined,
        force: options.force,
      });
      if (options.json) {
        printJson(result);
        return;
      }
      const lines = result.restored.map((path) => `restored ${display(root, path)}`);
      lines.push(`${result.restored.length} restored, ${result.unchanged.length} unchanged`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  program
    .command('unprotect')
    .description(
      'replace linked (read-only, shared with the cache) files of tracked data by private writable copies',
    )
    .argument('<paths...>', 'tracked paths')
    .option('--json', 'print { copied } as JSON')
    .action(async (paths: string[], options: { json?: boolean }) => {
      const { unprotect } = await import('@cairn/store');
      const root = await workspaceRoot();
      const copied = await unprotect(root, paths.map(fromCwd));
      if (options.json) printJson({ copied });
      else process.stdout.write(`${copied} file(s) made writable\n`);
    });
}
