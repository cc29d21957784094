import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { cairnPath, CairnTree } from '@cairn/store';

/**
 * A private scratch folder inside the workspace (`.cairn/tmp/<purpose>-…`,
 * gitignored by `init`): on the same file system as the content store, so
 * storing what is written there is a rename, not a copy.
 */
export async function scratchDir(workspaceRoot: string, purpose: string): Promise<string> {
  const parent = cairnPath(workspaceRoot, CairnTree.scratch);
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, `${purpose}-`));
}
