import type { Command } from 'commander';
import { createProgress, printJson } from '../output';

// Only the command's definition loads at start-up; its implementation (./hash-run) loads when it runs.
export function register(program: Command): void {
  program
    .command('hash')
    .description(
      'print the BLAKE3 hash of files and directories (directories: hash of their sorted manifest, suffixed .dir), in b3sum format',
    )
    .argument('<paths...>', 'files or directories')
    .option('--md5', 'DVC-compatible md5 (file md5 and DVC .dir hashes) instead of BLAKE3')
    .option('--json', 'print [{ path, type, hash, size, nfiles? }] as JSON')
    .addHelpText(
      'after',
      '\nFor files the output is accepted by `b3sum --check` (or `md5sum --check` with --md5).\nSymlinks inside a directory are hashed as their target when it lies inside the directory; links leaving it, dangling links and special files are errors.',
    )
    .action(async (paths: string[], options: { md5?: boolean; json?: boolean }) => {
      const { hashPaths, checksumLine } = await import('./hash-run.js');
      const algorithm: 'md5' | 'blake3' = options.md5 ? 'md5' : 'blake3';
      const progress = createProgress({ json: options.json, label: 'hashing' });
      let started = false;
      let last = 0;
      const results = await hashPaths(paths, {
        algorithm,
        onProgress: (done: number, total: number) => {
          if (!started) {
            progress.start(total);
            started = true;
            last = 0;
          }
          progress.tick(done - last);
          last = done;
          if (done === total) {
            progress.stop();
            started = false;
          }
        },
      });
      progress.stop();
      if (options.json) {
        printJson(results.map((result: { hash: string; path: string }) => ({ ...result, algorithm })));
        return;
      }
      process.stdout.write(
        results
          .map((result: { hash: string; path: string }) => `${checksumLine(result.hash, result.path)}\n`)
          .join(''),
      );
    });
}
