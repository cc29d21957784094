import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareUtf8,
  hashDirectory,
  hashBuffer,
  manifestBytes,
  type DirectoryHash,
  type ManifestEntry,
  type StatCache,
} from '@cairn/hash';
import {
  checkSnapshot,
  msFromNs,
  type FolderSnapshot,
  type FolderWalk,
  type SnapshotMatch,
} from './folder-snapshot';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A folder's hash answered from the stat cache, with what the walk saw of it. */
export interface CachedDirectoryHash extends DirectoryHash {
  /** Real path of the folder. */
  root: string;
  /** The walk's rows for a folder snapshot; absent when a folder changed within the racy window. */
  walk?: FolderWalk;
}

/**
 * The no-op fast path of status and add for a tracked folder, when its
 * snapshot did not match: walk it synchronously and answer every file from
 * the stat cache. Returns undefined as soon as anything needs real work (a
 * cache miss, a symlink, a special file, a name that is not UTF-8), and the
 * caller falls back to hashDirectory, whose rules this mirrors: same
 * stat-cache keys (real path of the folder + the relative path), same entries
 * (relative POSIX path, hash, size, owner's execute bit), same manifest
 * bytes. Every folder is stat'ed before it is listed, so its row in the walk
 * describes a listing at least as new.
 */
export function cachedDirectoryHash(dir: string, statCache: StatCache): CachedDirectoryHash | undefined {
  let root: string;
  let rootStat;
  try {
    root = realpathSync(dir);
    rootStat = lstatSync(root, { bigint: true });
  } catch {
    return undefined;
  }
  // Files answered by the stat cache are old enough by its own rule; folders are checked here.
  const trustedBefore = statCache.trustedBefore();
  let recordable = rootStat.mtimeNs < trustedBefore;
  const walk: FolderWalk = {
    folders: [{ relative: '', ino: Number(rootStat.ino), mtimeMs: msFromNs(rootStat.mtimeNs) }],
    files: [],
  };
  const entries: ManifestEntry[] = [];
  const pending: Array<{ absolute: string; relative: string; index: number }> = [
    { absolute: root, relative: '', index: 0 },
  ];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let names: Buffer[];
    try {
      names = readdirSync(folder.absolute, { encoding: 'buffer' });
    } catch {
      return undefined;
    }
    for (const raw of names) {
      let name: string;
      try {
        name = utf8.decode(raw);
      } catch {
        return undefined;
      }
      const absolute = join(folder.absolute, name);
      const relative = folder.relative === '' ? name : `${folder.relative}/${name}`;
      const stat = lstatSync(absolute, { bigint: true, throwIfNoEntry: false });
      if (!stat) return undefined;
      if (stat.isDirectory()) {
        recordable &&= stat.mtimeNs < trustedBefore;
        pending.push({ absolute, relative, index: walk.folders.length });
        walk.folders.push({ relative, ino: Number(stat.ino), mtimeMs: msFromNs(stat.mtimeNs) });
        continue;
      }
      if (!stat.isFile()) return undefined;
      const hash = statCache.lookup(absolute, stat, 'blake3');
      if (hash === undefined) return undefined;
      const size = Number(stat.size);
      const executable = (stat.mode & 0o100n) !== 0n;
      entries.push({ path: relative, hash, size, executable });
      walk.files.push({
        folder: folder.index,
        name,
        ino: Number(stat.ino),
        size,
        mtimeMs: msFromNs(stat.mtimeNs),
        executable,
      });
    }
  }
  entries.sort((a, b) => compareUtf8(a.path, b.path));
  const manifest = manifestBytes(entries);
  return {
    hash: `${hashBuffer(manifest)}.dir`,
    size: entries.reduce((sum, entry) => sum + entry.size, 0),
    nfiles: entries.length,
    entries,
    manifest,
    root,
    ...(recordable ? { walk } : {}),
  };
}

/** A tracked folder's hash, and how it was found. */
export interface TrackedFolder {
  hash: string;
  /** Walked or hashed: the entries and manifest. */
  directory?: DirectoryHash;
  entries?: ManifestEntry[];
  /** Answered by its snapshot: unchanged since it was taken. */
  snapshot?: SnapshotMatch;
  /** Walked with every row old enough: a snapshot to save. */
  record?: FolderSnapshot;
}

/**
 * The folder's hash without reading any file, or undefined: its snapshot
 * when nothing changed since and it holds `expectedHash` (one lstat per
 * entry), else a walk answered by the stat cache. The snapshot is only used
 * for the expected hash because other callers need the entries (to diff or
 * to store them).
 */
export async function quickFolderHash(
  dir: string,
  statCache: StatCache,
  snapshotDir: string | undefined,
  expectedHash: string | undefined,
): Promise<TrackedFolder | undefined> {
  if (snapshotDir !== undefined && expectedHash !== undefined) {
    const snapshot = await checkSnapshot(snapshotDir, dir);
    if (snapshot?.hash === expectedHash) return { hash: snapshot.hash, snapshot };
  }
  const walked = cachedDirectoryHash(dir, statCache);
  if (!walked) return undefined;
  const record = walked.walk ? recordOf(walked, walked.walk) : undefined;
  return { hash: walked.hash, directory: walked, entries: walked.entries, ...(record ? { record } : {}) };
}

/** After the folder was hashed: a walk (answered by the stat cache just filled) for its snapshot, if it matches. */
export function snapshotAfterHashing(
  dir: string,
  statCache: StatCache,
  directory: DirectoryHash,
): FolderSnapshot | undefined {
  const walked = cachedDirectoryHash(dir, statCache);
  return walked?.walk && walked.hash === directory.hash ? recordOf(walked, walked.walk) : undefined;
}

function recordOf(walked: CachedDirectoryHash, walk: FolderWalk): FolderSnapshot {
  return { root: walked.root, hash: walked.hash, size: walked.size, nfiles: walked.nfiles, walk };
}

/** quickFolderHash, else hashDirectory (reading files) followed by a walk to take a snapshot for next time. */
export async function trackedFolderHash(
  dir: string,
  statCache: StatCache,
  snapshotDir: string | undefined,
  expectedHash: string | undefined,
): Promise<TrackedFolder> {
  const quick = await quickFolderHash(dir, statCache, snapshotDir, expectedHash);
  if (quick) return quick;
  const directory = await hashDirectory(dir, { statCache });
  const record = snapshotDir === undefined ? undefined : snapshotAfterHashing(dir, statCache, directory);
  return { hash: directory.hash, directory, entries: directory.entries, ...(record ? { record } : {}) };
}
