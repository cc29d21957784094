import { promises as fs, realpathSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { withLock } from '@cairn/fs-atomic';
import { loadLayout, type Layout } from './config';
import { errnoCode, storeError } from './errors';
import { sweepSnapshots } from './folder-snapshot';
import { pointersInGitRefs } from './git-refs';
import { workspaceReferences, type KeepReference } from './keep';
import { isDirId, isObjectId, objectPath } from './layout';
import { listObjectIds, listTempFiles, readManifestObject } from './objects';
import { toPosixRelative } from './paths';
import type { Pointer } from './pointer';

export interface GcOptions {
  /** Report what would be removed (the very list a real run removes) and remove nothing. */
  dryRun?: boolean;
  /** Also keep objects referenced by pointer files in every git ref: branches, tags, every stash entry, notes. */
  allRefs?: boolean;
  /**
   * What other records still ask for (experiment records' artifacts), read
   * under the store lock with the rest of the keep set. Ids that are not
   * object ids are ignored.
   */
  alsoKeep?: () => Promise<KeepReference[]>;
}

export interface GcObject {
  id: string;
  /** Bytes on disk. */
  size: number;
}

export interface GcResult {
  /** Objects removed (or, with dryRun, that would be), sorted by id. */
  removed: GcObject[];
  /** Objects kept. */
  kept: number;
  freedBytes: number;
  /** Pointer files, run records, git pointers and `alsoKeep` references that kept objects alive. */
  references: number;
  /** Nx cache folders outside the workspace that were searched too. */
  nxCaches: string[];
  /** Folders whose manifest is not in the store: none of their files can be local, so nothing is kept for them. */
  absentManifests: KeepReference[];
  /** Pointer files in git history that did not parse (with allRefs). */
  invalidGitPointers?: Array<{ source: string; message: string }>;
  /** Git refs whose pointers were kept (with allRefs). */
  refs?: string[];
}

/** Real paths of the data the workspace's pointer files track: the folders whose snapshots are worth keeping. */
function trackedRoots(references: KeepReference[]): string[] {
  const roots: string[] = [];
  for (const { dataPath } of references) {
    if (dataPath === undefined) continue;
    try {
      roots.push(realpathSync(dataPath));
    } catch {
      // Data not checked out: no snapshot to keep.
    }
  }
  return roots;
}

/** Temp files younger than this may belong to a writer that does not take the lock (e.g. a pull); leave them. */
const TEMP_GRACE_MS = 60 * 60 * 1000;

function manifestUnreadable(
  layout: Layout,
  reference: KeepReference,
  reason: string,
  cause?: unknown,
): Error {
  const file = objectPath(layout.cacheDir, reference.id);
  return storeError(
    'GC_MANIFEST_UNREADABLE',
    `gc stopped, nothing was deleted: the folder manifest ${reference.id} referenced by ${reference.source} ${reason} (${file})`,
    {
      data: { id: reference.id, file, source: reference.source },
      hint: 'its files cannot be told apart from garbage; restore the manifest with `cairn pull` (verified) or re-add the folder, then run gc again',
      cause,
    },
  );
}

async function quarantined(layout: Layout, id: string): Promise<boolean> {
  const names = await fs.readdir(layout.quarantineDir).catch(() => [] as string[]);
  return names.some((name) => name.startsWith(`${id}.`));
}

/**
 * The ids `references` need: each one and, for a folder, every file its
 * manifest lists. Strict (gc): a manifest that is stored but cannot be read
 * or does not match its id (or was quarantined as corrupt) throws
 * GC_MANIFEST_UNREADABLE, since treating it as "lists nothing" would delete
 * the intact files it lists. Lenient (push, verify): such a manifest adds
 * only itself; those callers report it.
 */
async function withManifestMembers(
  layout: Layout,
  references: KeepReference[],
  strict: boolean,
): Promise<{ ids: Set<string>; absentManifests: KeepReference[] }> {
  const ids = new Set<string>();
  const absentManifests: KeepReference[] = [];
  for (const reference of references) {
    if (ids.has(reference.id)) continue;
    ids.add(reference.id);
    if (!isDirId(reference.id)) continue;
    try {
      for (const entry of await readManifestObject(layout.cacheDir, reference.id)) ids.add(entry.hash);
    } catch (error) {
      if (!strict) continue;
      const code = (error as { code?: string }).code ?? errnoCode(error);
      if (code === 'STORE_OBJECT_MISSING') {
        if (await quarantined(layout, reference.id))
          throw manifestUnreadable(layout, reference, 'was quarantined as corrupt', error);
        absentManifests.push(reference);
      } else if (code === 'STORE_OBJECT_CORRUPT') {
        throw manifestUnreadable(layout, reference, 'does not hash to its id (corrupt)', error);
      } else {
        throw manifestUnreadable(layout, reference, `cannot be read: ${(error as Error).message}`, error);
      }
    }
  }
  return { ids, absentManifests };
}

/** Object ids the pointers need: each pointer's hash and, for a folder, every file its manifest lists. Sorted. */
export async function referencedObjects(root: string, pointers: Pointer[]): Promise<string[]> {
  const layout = await loadLayout(root);
  const references = pointers.map((pointer) => ({ id: pointer.hash, source: pointer.path }));
  return [...(await withManifestMembers(layout, references, false)).ids].sort();
}

/**
 * Every object referenced by anything in the workspace (see
 * workspaceReferences: every pointer file in any folder, the Nx cache entries,
 * train run records), manifests' files included. Sorted. What `cairn push`
 * with no paths sends.
 */
export async function workspaceObjects(root: string): Promise<string[]> {
  const layout = await loadLayout(root);
  const { references } = await workspaceReferences(layout.root);
  return [...(await withManifestMembers(layout, references, false)).ids].sort();
}

/**
 * Removes every object nothing can still ask for. Kept: whatever a pointer
 * file anywhere in the workspace (build outputs, node_modules and .nx
 * included), an Nx cache entry, a train run record or `alsoKeep` refers
 * to, and with `allRefs` every pointer in git's refs (branches, remote
 * branches, tags, every stash entry, notes). The whole keep set is known
 * before the first deletion, so an error deletes nothing. Folder manifests
 * go before files, so an interrupted gc never leaves a manifest whose files
 * are gone. Holds the store lock, so a concurrent add (which stores objects
 * before it writes their pointer) is never cut short. A real run also drops
 * the folder snapshots of folders no pointer in the workspace tracks any
 * more.
 */
export async function gc(root: string, options: GcOptions = {}): Promise<GcResult> {
  const layout = await loadLayout(root);
  return withLock(layout.lockPath, async () => {
    const { references, nxCaches } = await workspaceReferences(layout.root);
    let gitScan: Awaited<ReturnType<typeof pointersInGitRefs>> | undefined;
    if (options.allRefs) {
      gitScan = await pointersInGitRefs(layout.root);
      references.push(...gitScan.references);
    }
    if (options.alsoKeep) {
      references.push(...(await options.alsoKeep()).filter((reference) => isObjectId(reference.id)));
    }
    // Workspace files are named relative to it; git sources (`<ref>:<path>`) and outside caches as they are.
    const readable = references.map((reference) => {
      if (!isAbsolute(reference.source)) return reference;
      const relative = toPosixRelative(layout.root, reference.source);
      return relative.startsWith('../') || isAbsolute(relative)
        ? reference
        : { ...reference, source: relative };
    });
    const { ids: keep, absentManifests } = await withManifestMembers(layout, readable, true);

    const garbage: GcObject[] = [];
    let kept = 0;
    for (const id of await listObjectIds(layout.cacheDir)) {
      if (keep.has(id)) {
        kept++;
        continue;
      }
      const stat = await fs.stat(objectPath(layout.cacheDir, id)).catch(() => undefined);
      if (stat) garbage.push({ id, size: stat.size });
    }
    if (!options.dryRun) {
      const manifestsFirst = [...garbage].sort((a, b) => Number(isDirId(b.id)) - Number(isDirId(a.id)));
      for (const { id } of manifestsFirst) await fs.rm(objectPath(layout.cacheDir, id), { force: true });
      for (const temp of await listTempFiles(layout.cacheDir)) {
        if (temp.ageMs > TEMP_GRACE_MS) await fs.rm(temp.file, { force: true });
      }
      await sweepSnapshots(layout.snapshotDir, trackedRoots(references));
    }
    const result: GcResult = {
      removed: garbage,
      kept,
      freedBytes: garbage.reduce((sum, object) => sum + object.size, 0),
      references: references.length,
      nxCaches,
      absentManifests,
    };
    if (gitScan) {
      result.refs = gitScan.refs;
      result.invalidGitPointers = gitScan.invalid;
    }
    return result;
  });
}
