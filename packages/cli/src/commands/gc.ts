import type { Command } from 'commander';
import { printJson } from '../output';
import { formatBytes, workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('gc')
    .description(
      'remove cached objects nothing refers to: pointers anywhere in the workspace (dist/, node_modules/, .nx/ included), Nx cache entries, train run records, registered model versions, experiment records; with --all-refs also every git ref, stash and note',
    )
    .option(
      '-n, --dry-run',
      'list what would be removed (the same list a real run removes) and remove nothing',
    )
    .option(
      '--all-refs',
      'also keep objects referenced by pointer files in every git ref: branches, remote branches, tags, every stash entry, notes',
    )
    .option('--json', 'print { removed: [{ id, size }], kept, freedBytes, ... } as JSON')
    .addHelpText(
      'after',
      '\nA folder manifest that is stored but unreadable or corrupt stops gc (GC_MANIFEST_UNREADABLE) before anything is removed.',
    )
    .action(async (options: { dryRun?: boolean; allRefs?: boolean; json?: boolean }) => {
      const { collectGarbage } = await import('@cairn/pipeline');
      const root = await workspaceRoot();
      const result = await collectGarbage(root, { dryRun: options.dryRun, allRefs: options.allRefs });
      if (options.json) {
        printJson({ dryRun: !!options.dryRun, ...result });
        return;
      }
      const lines = result.removed.map(({ id, size }) => `  ${id}  ${formatBytes(size)}`);
      for (const invalid of result.invalidGitPointers ?? [])
        lines.push(`warning: ignored ${invalid.message}`);
      for (const absent of result.absentManifests)
        lines.push(`note: ${absent.source} names folder ${absent.id}, whose manifest is not in the store`);
      const verb = options.dryRun ? 'would remove' : 'removed';
      lines.push(
        `${verb} ${result.removed.length} object(s), ${formatBytes(result.freedBytes)} in total; kept ${result.kept} (referenced from ${result.references} pointer(s) and record(s))`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
