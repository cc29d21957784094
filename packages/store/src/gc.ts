import { promises as fs } from 'node:fs';
import { withLock } from '@cairn/fs-atomic';
import { loadLayout, type Layout } from './config';
import { pointersInGitRefs } from './git-refs';
import { isDirId, listObjectIds, listTempFiles, objectPathIn, readManifestObject } from './objects';
import { listPointers } from './paths';
import type { Pointer } from './pointer';

export interface GcOptions {
  dryRun?: boolean;
  /** Also keep objects referenced by pointer files committed on any branch or tag. */
  allRefs?: boolean;
}

export interface GcResult {
  /** Object ids removed (or, with dryRun, that would be). */
  removed: string[];
  /** Objects kept. */
  kept: number;
  freedBytes: number;
  /** Pointer files in git history that did not parse (with allRefs). */
  invalidGitPointers?: Array<{ source: string; message: string }>;
  /** Git refs whose pointers were kept (with allRefs). */
  refs?: string[];
}

/** Temp files younger than this may belong to a writer that does not take the lock (e.g. a pull); leave them. */
const TEMP_GRACE_MS = 60 * 60 * 1000;

async function referencedIn(layout: Layout, pointers: Pointer[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const pointer of pointers) {
    if (ids.has(pointer.hash)) continue;
    ids.add(pointer.hash);
    if (!isDirId(pointer.hash)) continue;
    try {
      for (const entry of await readManifestObject(layout.cacheDir, pointer.hash)) ids.add(entry.hash);
    } catch {
      // Manifest absent or corrupt: its members cannot be known, so only the manifest id is referenced.
    }
  }
  return ids;
}

/**
 * Object ids the pointers need: each pointer's hash and, for a folder, every
 * file listed in its manifest (when the manifest is in the store). Sorted.
 */
export async function referencedObjects(root: string, pointers: Pointer[]): Promise<string[]> {
  return [...(await referencedIn(await loadLayout(root), pointers))].sort();
}

/**
 * Removes every object no pointer refers to: pointers in the working tree,
 * and with `allRefs` pointers committed on any branch, remote branch or tag.
 * Holds the store lock, so a concurrent add (which stores objects before it
 * writes their pointer) is never cut short.
 */
export async function gc(root: string, options: GcOptions = {}): Promise<GcResult> {
  const layout = await loadLayout(root);
  return withLock(layout.lockPath, async () => {
    const pointers = (await listPointers(layout.root)).map((record) => record.pointer);
    let gitScan: Awaited<ReturnType<typeof pointersInGitRefs>> | undefined;
    if (options.allRefs) {
      gitScan = await pointersInGitRefs(layout.root);
      pointers.push(...gitScan.pointers.map((item) => item.pointer));
    }
    const keep = await referencedIn(layout, pointers);
    const removed: string[] = [];
    let kept = 0;
    let freedBytes = 0;
    for (const id of await listObjectIds(layout.cacheDir)) {
      if (keep.has(id)) {
        kept++;
        continue;
      }
      const file = objectPathIn(layout.cacheDir, id);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat) continue;
      if (!options.dryRun) await fs.rm(file, { force: true });
      removed.push(id);
      freedBytes += stat.size;
    }
    if (!options.dryRun) {
      for (const temp of await listTempFiles(layout.cacheDir)) {
        if (temp.ageMs > TEMP_GRACE_MS) await fs.rm(temp.file, { force: true });
      }
    }
    const result: GcResult = { removed, kept, freedBytes };
    if (gitScan) {
      result.refs = gitScan.refs;
      result.invalidGitPointers = gitScan.invalid;
    }
    return result;
  });
}
