import { Option, type Command } from 'commander';
import type { LinkStrategy } from '@cairn/store';
import { printJson } from '../output';
import { display, fromCwd, workspaceRoot } from './add';

/** Link-policy warnings and repaired objects, on stderr (so --json output stays parseable). */
export function printCheckoutWarnings(result: {
  warnings: Array<{ code: string; message: string }>;
  repaired: string[];
}): void {
  for (const warning of result.warnings)
    process.stderr.write(`warning ${warning.code}: ${warning.message}\n`);
  for (const id of result.repaired)
    process.stderr.write(`object ${id} was corrupt: quarantined, good copy fetched from the remote\n`);
}

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
        'how to place files (default: cache.link in .cairn/config.json, else reflink then copy); hardlink and symlink share the stored object and are never used for root',
      ).choices(['reflink', 'hardlink', 'symlink', 'copy']),
    )
    .option('-f, --force', 'replace modified data (local changes are lost)')
    .option('--json', 'print { restored, unchanged, links } as JSON')
    .addHelpText(
      'after',
      '\nEvery file written is verified against its hash; a corrupt object is quarantined and, when a\ndefault remote is configured, fetched again. Hardlinked and symlinked files (opt-in) share the\nread-only cache object: edit them only after `cairn unprotect <path>`.',
    )
    .action(async (paths: string[], options: { link?: LinkStrategy; force?: boolean; json?: boolean }) => {
      const { checkoutRepairing } = await import('@cairn/remote');
      const root = await workspaceRoot();
      const result = await checkoutRepairing(root, paths.length > 0 ? paths.map(fromCwd) : undefined, {
        link: options.link ? [options.link] : undefined,
        force: options.force,
      });
      printCheckoutWarnings(result);
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
