import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './workspace';

/**
 * The real `cairn cache-server` in its own process: the tests drive Nx with
 * blocking calls, which would starve a server running in this process.
 */
export async function startServer(
  storageDir: string,
  tokensFile: string,
): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'packages/cli/bin/cairn.js'),
      'cache-server',
      '--storage',
      storageDir,
      '--tokens',
      tokensFile,
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines = createInterface({ input: child.stderr! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`cache-server exited with ${code}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { event?: string; url?: string };
        if (entry.event === 'listening' && entry.url) resolve(entry.url);
      } catch {
        /* not a log line */
      }
    });
  });
  return { url, process: child };
}
