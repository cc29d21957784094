import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '@cairn/fs-atomic';
import { hashFiles } from '@cairn/hash';
import { loadLayout, type Layout } from './config';
import { digestOf, listObjectIds, objectPathIn } from './objects';
import { listPointers } from './paths';
import { referencedObjects } from './gc';

export interface VerifyOptions {
  /** Move corrupt objects to `.cairn/quarantine/` (re-add or pull the data to restore them). */
  quarantine?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface VerifyResult {
  checked: number;
  /** Objects whose content no longer hashes to their id. */
  corrupt: string[];
  /** Objects pointers in the working tree need but the store lacks. */
  missing: string[];
  /** Corrupt objects moved to the quarantine folder. */
  quarantined: string[];
}

/**
 * Moves a corrupt object out of the store into `.cairn/quarantine/` (kept
 * for inspection, never read again), so the next pull fetches a good copy
 * and the next add stores one. Returns where it went.
 */
export async function quarantineObject(layout: Layout, id: string): Promise<string> {
  await fs.mkdir(layout.quarantineDir, { recursive: true });
  const from = objectPathIn(layout.cacheDir, id);
  const to = join(layout.quarantineDir, `${id}.${Date.now()}`);
  await fs.rename(from, to).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    // The cache may live on another file system (cache.dir).
    await fs.copyFile(from, to);
    await fs.rm(from, { force: true });
  });
  return to;
}

/**
 * Rehashes every object in the store and reports those whose content does
 * not match their id; lists objects the working tree's pointers need but the
 * store lacks. Holds the store lock so gc cannot remove objects mid-check.
 */
export async function verify(root: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const layout = await loadLayout(root);
  return withLock(layout.lockPath, async () => {
    const ids = await listObjectIds(layout.cacheDir);
    const results = await hashFiles(
      ids.map((id) => objectPathIn(layout.cacheDir, id)),
      { onProgress: options.onProgress },
    );
    const corrupt = ids.filter((id, index) => results[index]!.hash !== digestOf(id));
    const quarantined: string[] = [];
    if (options.quarantine) {
      for (const id of corrupt) {
        await quarantineObject(layout, id);
        quarantined.push(id);
      }
    }
    const present = new Set(ids.filter((id) => !quarantined.includes(id)));
    const needed = await referencedObjects(
      layout.root,
      (await listPointers(layout.root)).map((record) => record.pointer),
    );
    const missing = needed.filter((id) => !present.has(id));
    return { checked: ids.length, corrupt, missing, quarantined };
  });
}
