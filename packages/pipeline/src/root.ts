import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cairnError } from '@cairn/errors';

/** The Nx workspace a command runs in: the nearest folder up from `cwd` with an nx.json. */
export function findNxWorkspaceRoot(cwd: string = process.cwd()): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw cairnError(
        'NOT_IN_WORKSPACE',
        `${resolve(cwd)} is not inside an Nx workspace (no nx.json above it)`,
        {
          data: { cwd: resolve(cwd) },
          hint: 'run the command from your workspace, or create one with `npx create-nx-workspace`',
        },
      );
    }
    dir = parent;
  }
}
