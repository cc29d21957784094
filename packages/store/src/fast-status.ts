import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareUtf8,
  hashDirectory,
  hashBuffer,
  manifestBytes,
  type DirectoryFile,
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

/** The fstat a file was read with (taken before reading it). */
export interface ReadStat {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  mode: number;
}

/** A folder as add read it: its files, each with the fstat it was read with (undefined: no usable stat). */
export interface ReadFolder {
  /** Real path of the folder. */
  root: string;
  files: DirectoryFile[];
  stats: Array<ReadStat | undefined>;
  /** The stat cache's trust limit at an instant before the first fstat. */
  filesTrustedBefore: bigint;
}

/**
 * The snapshot of a folder add just hashed and stored, without a second
 * lstat per file: file rows are the fstats the files were read with, folders
 * are stat'ed now and listed after their stat, and each listing must hold
 * exactly the files read (no symlink, nothing added or removed since), else
 * undefined. A file changed after its fstat no longer matches its row, so the
 * next check sees it; every row must be older than the racy window.
 */
export function snapshotOfRead(
  read: ReadFolder,
  directory: DirectoryHash,
  statCache: StatCache,
): FolderSnapshot | undefined {
  // Files by folder (relative POSIX path) and name.
  const expected = new Map<string, Map<string, number>>();
  for (let index = 0; index < read.files.length; index++) {
    const file = read.files[index]!;
    const stat = read.stats[index];
    if (!stat || stat.mtimeNs >= read.filesTrustedBefore) return undefined;
    const slash = file.relative.lastIndexOf('/');
    // A symlink is read at its target: only a walk's own rows describe it.
    if (file.source !== join(read.root, ...file.relative.split('/'))) return undefined;
    const folder = slash < 0 ? '' : file.relative.slice(0, slash);
    let names = expected.get(folder);
    if (!names) expected.set(folder, (names = new Map()));
    names.set(file.relative.slice(slash + 1), index);
  }
  const foldersTrustedBefore = statCache.trustedBefore();
  const walk: FolderWalk = { folders: [], files: [] };
  const pending = [{ absolute: read.root, relative: '' }];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let listing;
    try {
      const stat = lstatSync(folder.absolute, { bigint: true });
      if (!stat.isDirectory() || stat.mtimeNs >= foldersTrustedBefore) return undefined;
      walk.folders.push({
        relative: folder.relative,
        ino: Number(stat.ino),
        mtimeMs: msFromNs(stat.mtimeNs),
      });
      listing = readdirSync(folder.absolute, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return undefined;
    }
    const index = walk.folders.length - 1;
    const names = expected.get(folder.relative);
    for (const entry of listing) {
      let name: string;
      try {
        name = utf8.decode(entry.name);
      } catch {
        return undefined;
      }
      const relative = folder.relative === '' ? name : `${folder.relative}/${name}`;
      if (entry.isDirectory()) {
        pending.push({ absolute: join(folder.absolute, name), relative });
        continue;
      }
      const file = entry.isFile() ? names?.get(name) : undefined;
      if (file === undefined) return undefined;
      const stat = read.stats[file]!;
      walk.files.push({
        folder: index,
        name,
        ino: Number(stat.ino),
        size: Number(stat.size),
        mtimeMs: msFromNs(stat.mtimeNs),
        executable: (stat.mode & 0o100) !== 0,
      });
    }
  }
  // Every listed file was one read; as many as were read: none went missing.
  if (walk.files.length !== read.files.length) return undefined;
  return { root: read.root, hash: directory.hash, size: directory.size, nfiles: directory.nfiles, walk };
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
