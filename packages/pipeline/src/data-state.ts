import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@cairn/store';
import { DataModifiedError } from './errors';

/**
 * Refuses when any of the tracked `dataPaths` (workspace-relative) differs
 * from its pointer. The stat cache answers unchanged files from a stat, so
 * this costs a few stats per dataset; data not yet pulled is not "modified",
 * and a path with no pointer is left to the task itself (POINTER_MISSING).
 * Its own entry (`@cairn/pipeline/data-state`) so the Nx plugin's check before
 * every run loads the store, not the training machinery.
 */
export async function assertDataUnmodified(workspaceRoot: string, dataPaths: string[]): Promise<void> {
  const tracked = dataPaths.filter((path) => existsSync(join(workspaceRoot, `${path}.cairn`)));
  if (tracked.length === 0) return;
  const modified = (await status(workspaceRoot, tracked)).filter((entry) => entry.state === 'modified');
  if (modified.length > 0) throw new DataModifiedError(modified);
}
