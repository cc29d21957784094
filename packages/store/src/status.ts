import { lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashFile, StatCache, type ManifestEntry } from '@cairn/hash';
import { loadLayout, type Layout } from './config';
import { fsError } from './errors';
import { trackedFolderHash } from './fast-status';
import {
  fanoutRows,
  msFromNs,
  presenceHolds,
  savePresence,
  saveSnapshot,
  type FolderSnapshot,
  type SnapshotMatch,
  type StorePresence,
} from './folder-snapshot';
import { isDirId, objectPath } from './layout';
import { listObjectIds, objectPresent, readManifestObject } from './objects';
import { dataPathOf, mapLimit, selectPointers, toPosixRelative, type PointerRecord } from './paths';
import type { Pointer } from './pointer';

export type DataState = 'clean' | 'modified' | 'missing' | 'not-in-cache';

export interface DirectoryChanges {
  added: string[];
  modified: string[];
  deleted: string[];
}

export interface StatusEntry {
  /** The tracked data, relative to the workspace root (POSIX). */
  path: string;
  /** Its pointer file, relative to the workspace root (POSIX). */
  pointerFile: string;
  /**
   * - `modified`: the data differs from its pointer (re-add it, or checkout --force);
   * - `not-in-cache`: the data is absent or unchanged but the store lacks (some of) its objects (pull them);
   * - `missing`: the data is absent and the store can restore it (checkout);
   * - `clean`: the data matches and the store holds it.
   */
  state: DataState;
  hash: string;
  /** Hash of the data as it is now (absent when the data is missing). */
  actualHash?: string;
  inCache: boolean;
  /** For a modified folder whose manifest is in the store: what differs, by relative path. */
  changes?: DirectoryChanges;
  /**
   * Modified files that are (or link to) their stored object: the edit went
   * into the store too, so that object no longer matches its hash. Only
   * hardlink/symlink checkouts can do this; `cairn verify --quarantine`
   * moves the object aside, `cairn pull` or `cairn add` replaces it.
   */
  corruptShared?: SharedObject[];
}

/** A workspace file sharing its inode with a stored object. */
export interface SharedObject {
  /** The object id. */
  id: string;
  /** The workspace file, relative to the root (POSIX). */
  path: string;
}

/** True when `path` is the stored object `id` itself: the same inode (a hardlink) or a symlink to it. */
export function sharesInode(cacheDir: string, path: string, id: string): boolean {
  const object = statSync(objectPath(cacheDir, id), { throwIfNoEntry: false });
  const file = object && statSync(path, { throwIfNoEntry: false });
  return file !== undefined && file.ino === object!.ino && file.dev === object!.dev;
}

/** What the data on disk looks like next to its pointer. */
export interface WorkspaceCheck {
  exists: boolean;
  actualHash?: string;
  matches: boolean;
  /** Folders: the entries as they are now (absent when the folder's snapshot answered). */
  entries?: ManifestEntry[];
  /** Folders answered by their snapshot: unchanged since it was taken. */
  snapshot?: SnapshotMatch;
  /** Folders walked with every row old enough: a snapshot to save. */
  record?: FolderSnapshot;
}

export async function checkWorkspaceData(
  dataPath: string,
  pointer: Pointer,
  statCache: StatCache,
  snapshotDir?: string,
): Promise<WorkspaceCheck> {
  let stat;
  try {
    // Synchronous: status stats thousands of paths, and a thread-pool round trip costs more than the stat.
    stat = lstatSync(dataPath, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    throw fsError(error, dataPath, 'read it');
  }
  if (!stat) return { exists: false, matches: false };
  if (isDirId(pointer.hash)) {
    if (!stat.isDirectory()) return { exists: true, matches: false };
    const { hash, entries, snapshot, record } = await trackedFolderHash(
      dataPath,
      statCache,
      snapshotDir,
      pointer.hash,
    );
    return {
      exists: true,
      actualHash: hash,
      matches: hash === pointer.hash,
      ...(entries ? { entries } : {}),
      ...(snapshot ? { snapshot } : {}),
      ...(record ? { record } : {}),
    };
  }
  if (!stat.isFile()) return { exists: true, matches: false };
  if (BigInt(pointer.size) !== stat.size) return { exists: true, matches: false };
  let hash = statCache.lookup(dataPath, stat, 'blake3');
  if (hash === undefined) {
    const startedAt = statCache.now();
    const result = await hashFile(dataPath);
    hash = result.hash;
    if (BigInt(result.size) === stat.size) statCache.remember(dataPath, stat, 'blake3', hash, startedAt);
  }
  return { exists: true, actualHash: hash, matches: hash === pointer.hash };
}

/** Above this many objects to check, listing the cache's fan-out folders beats one stat per object. */
const LIST_THRESHOLD = 2000;

/** Which of `ids` are in the store. */
async function presentObjects(layout: Layout, ids: string[]): Promise<Set<string>> {
  if (ids.length > LIST_THRESHOLD) {
    const all = new Set(await listObjectIds(layout.cacheDir));
    return new Set(ids.filter((id) => all.has(id)));
  }
  const present = await mapLimit(ids, 32, (id) => objectPresent(layout.cacheDir, id));
  return new Set(ids.filter((_, index) => present[index]));
}

/** The objects a pointer needs; for a folder, its manifest's members too (undefined when the manifest is absent or unreadable). */
export async function requiredObjects(
  layout: Layout,
  pointer: Pointer,
): Promise<{ ids: string[]; manifest?: ManifestEntry[] }> {
  if (!isDirId(pointer.hash)) return { ids: [pointer.hash] };
  try {
    const manifest = await readManifestObject(layout.cacheDir, pointer.hash);
    return { ids: [pointer.hash, ...new Set(manifest.map((entry) => entry.hash))], manifest };
  } catch {
    return { ids: [pointer.hash] };
  }
}

/**
 * Whether the store holds every object `pointer` needs, by reading its
 * manifest and listing the store (no per-object stat), with the fan-out
 * folders' rows taken before the listing to remember it by (absent when one
 * changed within the racy window).
 */
export async function storeHoldsAll(
  layout: Layout,
  pointer: Pointer,
  trustedBeforeMs: number,
): Promise<{ complete: boolean; presence?: StorePresence }> {
  const { ids, manifest } = await requiredObjects(layout, pointer);
  if (isDirId(pointer.hash) && !manifest) return { complete: false };
  const presence = fanoutRows(layout.cacheDir, ids, trustedBeforeMs);
  const present = await presentObjects(layout, ids);
  const complete = ids.every((id) => present.has(id));
  return complete && presence ? { complete, presence } : { complete };
}

export function diffEntries(expected: ManifestEntry[], actual: ManifestEntry[]): DirectoryChanges {
  const before = new Map(expected.map((entry) => [entry.path, entry]));
  const after = new Map(actual.map((entry) => [entry.path, entry]));
  const changes: DirectoryChanges = { added: [], modified: [], deleted: [] };
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (!old) changes.added.push(path);
    else if (old.hash !== entry.hash || old.executable !== entry.executable) changes.modified.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.deleted.push(path);
  return changes;
}

/** The modified files of one pointer that share their inode with the object they should hold (a few stats). */
function modifiedShared(
  layout: Layout,
  dataPath: string,
  pointer: Pointer,
  manifest: ManifestEntry[] | undefined,
  changes: DirectoryChanges | undefined,
): SharedObject[] {
  const candidates = !isDirId(pointer.hash)
    ? [{ path: dataPath, id: pointer.hash }]
    : (() => {
        const byPath = new Map((manifest ?? []).map((item) => [item.path, item.hash]));
        return (changes?.modified ?? []).map((path) => ({
          path: join(dataPath, ...path.split('/')),
          id: byPath.get(path)!,
        }));
      })();
  return candidates
    .filter((item) => item.id !== undefined && sharesInode(layout.cacheDir, item.path, item.id))
    .map((item) => ({ id: item.id, path: toPosixRelative(layout.root, item.path) }));
}

export async function statusOf(
  layout: Layout,
  records: PointerRecord[],
  statCache: StatCache,
  snapshotDir?: string,
): Promise<StatusEntry[]> {
  const checked = await mapLimit(records, 32, async ({ file, pointer }) => {
    const dataPath = dataPathOf(file, pointer);
    const workspace = await checkWorkspaceData(dataPath, pointer, statCache, snapshotDir);
    // Unchanged since a snapshot that saw all its objects in the store, which lost none since: nothing to list.
    if (workspace.snapshot && presenceHolds(workspace.snapshot, layout.cacheDir))
      return { file, pointer, dataPath, workspace, required: { ids: [] }, knownPresent: true };
    // A clean folder's entries are its manifest: no need to read and parse the .dir object.
    const required: { ids: string[]; manifest?: ManifestEntry[] } =
      workspace.matches && workspace.entries
        ? {
            ids: [pointer.hash, ...new Set(workspace.entries.map((entry) => entry.hash))],
            manifest: workspace.entries,
          }
        : await requiredObjects(layout, pointer);
    return { file, pointer, dataPath, workspace, required, knownPresent: false };
  });
  // Clean folders with a snapshot remember that the store held their objects, keyed on the
  // fan-out folders' stats taken before the listing (a deletion after it moves their mtime).
  const trustedBeforeMs = msFromNs(statCache.trustedBefore());
  const fanout = checked.map((item) =>
    snapshotDir !== undefined &&
    !item.knownPresent &&
    item.workspace.matches &&
    (item.workspace.snapshot || item.workspace.record)
      ? fanoutRows(layout.cacheDir, item.required.ids, trustedBeforeMs)
      : undefined,
  );
  const present = await presentObjects(layout, [...new Set(checked.flatMap((item) => item.required.ids))]);
  const entries = checked.map(({ file, pointer, dataPath, workspace, required, knownPresent }) => {
    const manifestPresent =
      present.has(pointer.hash) && (!isDirId(pointer.hash) || required.manifest !== undefined);
    const inCache = knownPresent || (manifestPresent && required.ids.every((id) => present.has(id)));
    const state: DataState =
      workspace.exists && !workspace.matches
        ? 'modified'
        : !inCache
          ? 'not-in-cache'
          : workspace.exists
            ? 'clean'
            : 'missing';
    const entry: StatusEntry = {
      path: toPosixRelative(layout.root, dataPath),
      pointerFile: toPosixRelative(layout.root, file),
      state,
      hash: pointer.hash,
      inCache,
    };
    if (workspace.actualHash !== undefined) entry.actualHash = workspace.actualHash;
    if (state === 'modified' && required.manifest && workspace.entries)
      entry.changes = diffEntries(required.manifest, workspace.entries);
    if (state === 'modified') {
      const shared = modifiedShared(layout, dataPath, pointer, required.manifest, entry.changes);
      if (shared.length > 0) entry.corruptShared = shared;
    }
    return entry;
  });
  if (snapshotDir !== undefined) {
    await Promise.all(
      checked.map(({ workspace }, index) => {
        const presence = entries[index]!.inCache ? fanout[index] : undefined;
        // Snapshots are only a cache: one that cannot be written is taken again next time.
        if (workspace.record)
          return saveSnapshot(snapshotDir, { ...workspace.record, ...(presence ? { presence } : {}) }).catch(
            () => undefined,
          );
        if (workspace.snapshot && presence)
          return savePresence(snapshotDir, workspace.snapshot, presence).catch(() => undefined);
        return undefined;
      }),
    );
  }
  return entries;
}

/**
 * The state of every tracked path (or of those selected by `paths`, relative
 * to `root` unless absolute). Unchanged files are not read again: the stat
 * cache answers from (path, inode, size, mtime).
 */
export async function status(root: string, paths?: string[]): Promise<StatusEntry[]> {
  const layout = await loadLayout(root);
  const records = await selectPointers(layout.root, paths);
  const statCache = await StatCache.load(layout.statCacheFile);
  const entries = await statusOf(layout, records, statCache, layout.snapshotDir);
  await statCache.save().catch(() => undefined);
  return entries;
}
