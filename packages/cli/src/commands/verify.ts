import type { Command } from 'commander';
import { createProgress, printJson } from '../output';
import { workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'rehash every cached object; report corrupt ones and objects the pointers need but the cache lacks',
    )
    .option('--quarantine', 'move corrupt objects to .cairn/quarantine/ (then re-add or pull the data)')
    .option('--json', 'print { checked, corrupt, missing, quarantined, shared } as JSON')
    .addHelpText(
      'after',
      '\nExit status: 0 all objects sound and present, 1 corrupt or missing objects found, 2 bad input.',
    )
    .action(async (options: { quarantine?: boolean; json?: boolean }) => {
      const { verify } = await import('@cairn/store');
      const root = await workspaceRoot();
      const progress = createProgress({ json: options.json, label: 'verifying' });
      let started = false;
      let last = 0;
      let result;
      try {
        result = await verify(root, {
          quarantine: options.quarantine,
          onProgress: (done, total) => {
            if (!started) progress.start(total);
            started = true;
            progress.tick(done - last);
            last = done;
          },
        });
      } finally {
        progress.stop();
      }
      if (result.corrupt.length > 0 || result.missing.length > 0) process.exitCode = 1;
      if (options.json) {
        printJson(result);
        return;
      }
      const sharing = (id: string) =>
        result.shared
          .filter((item) => item.id === id)
          .map((item) => `; shares its inode with ${item.path}`)
          .join('');
      const lines = [
        ...result.corrupt.map(
          (id) => `corrupt: ${id}${result.quarantined.includes(id) ? ' (quarantined)' : ''}${sharing(id)}`,
        ),
        ...result.missing.map((id) => `missing: ${id}`),
        `checked ${result.checked} object(s): ${result.corrupt.length} corrupt, ${result.missing.length} missing`,
      ];
      if (result.corrupt.length > 0 && !options.quarantine)
        lines.push('(cairn verify --quarantine moves corrupt objects aside)');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
