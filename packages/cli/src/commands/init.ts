import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson } from '../output';

export function register(program: Command): void {
  program
    .command('init')
    .description(
      'make this folder a cairn workspace: .cairn/config.json, .cairn/.gitignore and the object cache (safe to run again)',
    )
    .argument('[dir]', 'workspace root', '.')
    .option('--json', 'print { root } as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const { initWorkspace } = await import('@cairn/store');
      const root = resolve(dir);
      await initWorkspace(root);
      if (options.json) printJson({ root });
      else process.stdout.write(`initialized cairn workspace in ${root}\n`);
    });
}
