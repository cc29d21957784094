import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '@cairn/fs-atomic';
import { hashFiles } from '@cairn/hash';
import { loadLayout, type Layout } from './config';
import { digestOf, isDirId, objectPath } from './layout';
import { listObjectIds, readManifestObject } from './objects';
import { dataPathOf, listPointers, toPosixRelative, type PointerRecord } from './paths';
import { sharesInode, type SharedObject } from './status';
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
  /**
   * Workspace files sharing their inode with a corrupt object (hardlinked or
   * symlinked checkouts): most likely how it was corrupted, by an edit in place.
   */
  shared: SharedObject[];
}

/** Tracked workspace files that are (hardlinks of, or symlinks to) one of the objects `ids`. */
async function filesSharing(
  layout: Layout,
  records: PointerRecord[],
  ids: ReadonlySet<string>,
): Promise<SharedObject[]> {
  const shared: SharedObject[] = [];
  for (const { file, pointer } of records) {
    const dataPath = dataPathOf(file, pointer);
    let candidates = [{ path: dataPath, id: pointer.hash }];
    if (isDirId(pointer.hash)) {
      const entries = await readManifestObject(layout.cacheDir, pointer.hash).catch(() => []);
      candidates = entries.map((entry) => ({
        path: join(dataPath, ...entry.path.split('/')),
        id: entry.hash,
      }));
    }
    for (const item of candidates) {
      // Checked before the object is quarantined: afterwards its inode is elsewhere.
      if (ids.has(item.id) && sharesInode(layout.cacheDir, item.path, item.id))
        shared.push({ id: item.id, path: toPosixRelative(layout.root, item.path) });
    }
  }
  return shared;
}

/**
 * Moves a corrupt object out of the store into `.cairn/quarantine/` (kept
 * for inspection, never read again), so the next pull fetches a good copy
 * and the next add stores one. Returns where it went.
 */
export async function quarantineObject(layout: Layout, id: string): Promise<string> {
  await fs.mkdir(layout.quarantineDir, { recursive: true });
  const from = objectPath(layout.cacheDir, id);
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
      ids.map((id) => objectPath(layout.cacheDir, id)),
      { onProgress: options.onProgress },
    );
    const corrupt = ids.filter((id, index) => results[index]!.hash !== digestOf(id));
    const records = await listPointers(layout.root);
    const shared = corrupt.length > 0 ? await filesSharing(layout, records, new Set(corrupt)) : [];
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
      records.map((record) => record.pointer),
    );
    const missing = needed.filter((id) => !present.has(id));
    return { checked: ids.length, corrupt, missing, quarantined, shared };
  });
}
