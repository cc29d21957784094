import type { Command } from 'commander';
import { printJson } from '../output';
import { formatBytes, workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('gc')
    .description(
      'remove cached objects no pointer refers to (pointers in the working tree; with --all-refs also in every branch and tag)',
    )
    .option('-n, --dry-run', 'only report what would be removed')
    .option(
      '--all-refs',
      'also keep objects referenced by pointer files committed on any branch, remote branch or tag',
    )
    .option('--json', 'print { removed, kept, freedBytes } as JSON')
    .action(async (options: { dryRun?: boolean; allRefs?: boolean; json?: boolean }) => {
      const { gc } = await import('@cairn/store');
      const root = await workspaceRoot();
      const result = await gc(root, { dryRun: options.dryRun, allRefs: options.allRefs });
      if (options.json) {
        printJson(result);
        return;
      }
      const verb = options.dryRun ? 'would remove' : 'removed';
      const lines = options.dryRun ? result.removed.map((id) => `  ${id}`) : [];
      for (const invalid of result.invalidGitPointers ?? [])
        lines.push(`warning: ignored ${invalid.message}`);
      lines.push(
        `${verb} ${result.removed.length} object(s), ${formatBytes(result.freedBytes)}; kept ${result.kept}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
