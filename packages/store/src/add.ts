import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { withLock, writeFileAtomic } from '@cairn/fs-atomic';
import {
  directoryHashOf,
  listDirectoryFiles,
  hashDirectory,
  hashFile,
  hashFiles,
  StatCache,
  type DirectoryHash,
  type ManifestEntry,
} from '@cairn/hash';
import { initWorkspace, loadLayout, type Layout } from './config';
import { fsError, storeError } from './errors';
import {
  changedError,
  listObjectIds,
  objectPresent,
  objectPresentSync,
  objectTempPath,
  putFile,
  putManifest,
  WHOLE_READ_LIMIT,
} from './objects';
import { OBJECTS_FOLDER, objectPath } from './layout';
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
import { hashAndStoreOnWorkers, storeOnWorkers, storeWorkersAvailable } from './store-workers';
import { mapLimit, resolveWorkspacePath, toPosixRelative } from './paths';
import { POINTER_SUFFIX, pointerFileFor, readPointer, writePointer, type Pointer } from './pointer';
import {
  quickFolderHash,
  snapshotAfterHashing,
  snapshotOfRead,
  type ReadFolder,
  type ReadStat,
} from './fast-status';
import { storeHoldsAll } from './status';

export interface StoreProgress {
  phase: 'hash' | 'store';
  done: number;
  total: number;
}

export interface AddOptions {
  onProgress?: (progress: StoreProgress) => void;
  /** Add each data path to the `.gitignore` beside it (default true). */
  gitignore?: boolean;
}

/** Files stored concurrently: enough to keep libuv's thread pool busy on many small files. */
const STORE_CONCURRENCY = 16;
/** From this many small files to store, worker threads (synchronous I/O) beat the thread pool. */
const MIN_FILES_FOR_WORKERS = 64;

interface Hashed {
  source: string;
  pointer: Pointer;
  /** Directories: the hashing result (entries + manifest). */
  directory?: DirectoryHash;
  /** Directories unchanged since their snapshot (no entries at hand). */
  snapshot?: SnapshotMatch;
  /** Directories walked with every row old enough: the snapshot to save once stored. */
  record?: FolderSnapshot;
  /** Directories hashed and stored in one read: nothing left to store. */
  stored?: true;
}

/** A folder whose files must be read: hashed and stored in one read, under the store lock. */
interface Unread {
  source: string;
  unread: true;
}

/** hashDirectory with add's rule: pointer files inside a tracked folder would be hidden from every verb. */
function hashForAdd(
  source: string,
  statCache: StatCache,
  onProgress?: AddOptions['onProgress'],
): Promise<DirectoryHash> {
  return hashDirectory(source, {
    statCache,
    onProgress: onProgress && ((done, total) => onProgress({ phase: 'hash', done, total })),
    ignore: refusePointerFiles(source),
  });
}

/** The ignore rule of a folder being added: a pointer file inside it is refused, nothing is skipped. */
function refusePointerFiles(source: string): (path: string) => boolean {
  return (path) => {
    if (path.endsWith(POINTER_SUFFIX)) {
      throw storeError(
        'STORE_PATH_UNSUPPORTED',
        `${join(source, path)}: a pointer file inside a folder being added`,
        {
          data: { path: join(source, path) },
          hint: 'track either the folder or the paths inside it, not both',
        },
      );
    }
    return false;
  };
}

function directoryItem(source: string, directory: DirectoryHash, record: FolderSnapshot | undefined): Hashed {
  return {
    source,
    directory,
    ...(record ? { record } : {}),
    pointer: {
      version: 1,
      algorithm: 'blake3',
      hash: directory.hash,
      size: directory.size,
      nfiles: directory.nfiles,
      path: basename(source),
    },
  };
}

/**
 * Hashes a folder's files and stores each new object in the same read, on
 * worker threads (files above the whole-read limit are streamed here), then
 * its manifest. Call with the store lock held. Returns the folder's hash and
 * how many objects were written.
 */
async function hashAndStoreFolder(
  layout: Layout,
  source: string,
  statCache: StatCache,
  onProgress?: AddOptions['onProgress'],
): Promise<{ directory: DirectoryHash; written: number; read: ReadFolder }> {
  const { root, files } = await listDirectoryFiles(source, refusePointerFiles(source));
  // Every fstat the workers take is after this instant: a safe "hashed at" for the racy rule.
  const startedAt = statCache.now();
  const read: ReadFolder = {
    root,
    files,
    stats: new Array<ReadStat | undefined>(files.length),
    filesTrustedBefore: statCache.trustedBefore(startedAt),
  };
  const entries = new Array<ManifestEntry>(files.length);
  const large: number[] = [];
  const failures: Array<[number, string, string]> = [];
  let written = 0;
  let done = 0;
  await hashAndStoreOnWorkers(
    files.map((file) => {
      const cached = statCache.entryFor(file.source, 'blake3');
      return cached ? { source: file.source, cached } : { source: file.source };
    }),
    join(layout.cacheDir, OBJECTS_FOLDER),
    WHOLE_READ_LIMIT,
    (start, batch) => {
      for (const [offset, code, message] of batch.errors) failures.push([start + offset, code, message]);
      batch.hashes.forEach((hash, offset) => {
        if (hash === '' && batch.large[offset] === 0) return; // failed: reported below
        const index = start + offset;
        if (batch.large[offset] === 1) {
          large.push(index);
          return;
        }
        const size = batch.sizes[offset]!;
        entries[index] = {
          path: files[index]!.relative,
          hash,
          size,
          executable: (batch.modes[offset]! & 0o100) !== 0,
        };
        written += batch.stored[offset]!;
        if (BigInt(size) !== batch.statSizes[offset]) return; // changed while read: no stat describes it
        const stat = {
          ino: batch.inos[offset]!,
          size: batch.statSizes[offset]!,
          mtimeNs: batch.mtimesNs[offset]!,
          mode: batch.modes[offset]!,
        };
        read.stats[index] = stat;
        if (batch.hits[offset] === 0)
          statCache.remember(files[index]!.source, stat, 'blake3', hash, startedAt);
      });
      done += batch.hashes.length;
      onProgress?.({ phase: 'store', done, total: files.length });
    },
  );
  if (failures.length > 0) {
    const [index, code, message] = failures.sort((a, b) => a[0] - b[0])[0]!;
    const path = files[index]!.source;
    if (code === 'SPECIAL') {
      throw storeError(
        'STORE_PATH_UNSUPPORTED',
        `${path}: a socket, FIFO or device inside a folder being added`,
        {
          data: { path },
          hint: 'only regular files, folders and links to files inside the folder can be added',
        },
      );
    }
    throw fsError(Object.assign(new Error(message), { code }), path, 'read it');
  }
  for (const index of large) {
    const file = files[index]!;
    const stat = await fs.stat(file.source, { bigint: true });
    const { hash, size } = await hashFile(file.source);
    if (await putFile(layout.cacheDir, file.source, hash, size)) written++;
    entries[index] = { path: file.relative, hash, size, executable: (stat.mode & 0o100n) !== 0n };
    if (BigInt(size) === stat.size)
      read.stats[index] = { ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs, mode: Number(stat.mode) };
  }
  const directory = directoryHashOf(entries);
  if (await putManifest(layout.cacheDir, directory.hash, directory.manifest)) written++;
  return { directory, written, read };
}

/** An unread folder, hashed and stored (with the lock held); its snapshot taken when `snapshotDir` is given. */
async function readAndStore(
  layout: Layout,
  unread: Unread,
  statCache: StatCache,
  onProgress: AddOptions['onProgress'],
  snapshotDir?: string,
): Promise<{ item: Hashed; written: number }> {
  const { directory, written, read } = await hashAndStoreFolder(layout, unread.source, statCache, onProgress);
  const record = snapshotDir === undefined ? undefined : snapshotOfRead(read, directory, statCache);
  return { item: { ...directoryItem(unread.source, directory, record), stored: true }, written };
}

async function hashOne(
  source: string,
  statCache: StatCache,
  snapshotDir: string | undefined,
  onProgress?: AddOptions['onProgress'],
  /** walk: never answer from the snapshot (its objects must be checked, so the entries are needed). */
  options: { walk?: boolean } = {},
): Promise<Hashed | Unread> {
  let stat;
  try {
    stat = await fs.lstat(source, { bigint: true });
  } catch (error) {
    throw fsError(error, source, 'read it');
  }
  const name = basename(source);
  if (stat.isDirectory()) {
    // Unchanged since the last add: answered by its snapshot or the stat cache without starting workers.
    const folder = await quickFolderHash(
      source,
      statCache,
      snapshotDir,
      options.walk
        ? undefined
        : await readPointer(pointerFileFor(source)).then(
            (pointer) => pointer.hash,
            () => undefined,
          ),
    );
    if (folder?.snapshot) {
      const { hash, size, nfiles } = folder.snapshot;
      return {
        source,
        snapshot: folder.snapshot,
        pointer: { version: 1, algorithm: 'blake3', hash, size, nfiles, path: name },
      };
    }
    // A walk that found a pointer file inside goes the long way, which reports it.
    if (folder && !folder.entries!.some((entry) => entry.path.endsWith(POINTER_SUFFIX)))
      return directoryItem(source, folder.directory!, folder.record);
    if (storeWorkersAvailable()) return { source, unread: true };
    const directory = await hashForAdd(source, statCache, onProgress);
    return directoryItem(
      source,
      directory,
      snapshotDir === undefined ? undefined : snapshotAfterHashing(source, statCache, directory),
    );
  }
  if (!stat.isFile()) {
    throw storeError(
      'STORE_PATH_UNSUPPORTED',
      `${source}: only regular files and folders can be added (not a symlink or special file)`,
      {
        data: { path: source },
        hint: stat.isSymbolicLink() ? 'add the file the link points to' : undefined,
      },
    );
  }
  const startedAt = statCache.now();
  let hash = statCache.lookup(source, stat, 'blake3');
  if (hash === undefined) {
    const result = await hashFile(source);
    hash = result.hash;
    if (BigInt(result.size) === stat.size) statCache.remember(source, stat, 'blake3', hash, startedAt);
  }
  onProgress?.({ phase: 'hash', done: 1, total: 1 });
  return { source, pointer: { version: 1, algorithm: 'blake3', hash, size: Number(stat.size), path: name } };
}

/** Stores a hashed file or folder's objects. Call with the store lock held (gc must not race with it). */
async function storeHashed(
  layout: Layout,
  item: Hashed,
  onProgress?: AddOptions['onProgress'],
): Promise<number> {
  if (!item.directory) {
    const stored = await putFile(layout.cacheDir, item.source, item.pointer.hash, item.pointer.size);
    onProgress?.({ phase: 'store', done: 1, total: 1 });
    return stored ? 1 : 0;
  }
  const { entries, manifest, hash } = item.directory;
  const realRoot = await fs.realpath(item.source);
  const seen = new Set<string>();
  const unique = entries.filter((entry) => !seen.has(entry.hash) && seen.add(entry.hash));
  // For many files, one listing of the cache answers "absent" without a stat per object.
  const listed = unique.length > 2000 ? new Set(await listObjectIds(layout.cacheDir)) : undefined;
  let done = 0;
  const tick = (count: number) => {
    done += count;
    if (onProgress && (done % 256 < count || done === unique.length))
      onProgress({ phase: 'store', done, total: unique.length });
  };
  const sourceOf = (entry: ManifestEntry) => join(realRoot, ...entry.path.split('/'));
  // Many objects: listed ones are checked (type and size) synchronously, a stat costs less than a round trip.
  const present = listed
    ? unique.map(
        (entry) => listed.has(entry.hash) && objectPresentSync(layout.cacheDir, entry.hash, entry.size),
      )
    : await mapLimit(unique, STORE_CONCURRENCY, (entry) =>
        objectPresent(layout.cacheDir, entry.hash, entry.size),
      );
  tick(present.filter(Boolean).length);
  const absent = unique.filter((_, index) => !present[index]);
  const viaWorkers =
    absent.length >= MIN_FILES_FOR_WORKERS && storeWorkersAvailable()
      ? absent.filter((entry) => entry.size <= WHOLE_READ_LIMIT)
      : [];
  if (viaWorkers.length > 0) {
    const results = await storeOnWorkers(
      viaWorkers.map((entry) => ({
        source: sourceOf(entry),
        target: objectPath(layout.cacheDir, entry.hash),
        temp: objectTempPath(layout.cacheDir, entry.hash),
        hash: entry.hash,
      })),
      tick,
    );
    results.forEach((result, index) => {
      if ('ok' in result) return;
      const source = sourceOf(viaWorkers[index]!);
      if (result.error.code === 'CHANGED')
        throw changedError(source, viaWorkers[index]!.hash, result.error.actual ?? '');
      throw fsError(
        Object.assign(new Error(result.error.message), { code: result.error.code }),
        source,
        'read it',
      );
    });
  }
  const handled = new Set(viaWorkers);
  await mapLimit(
    absent.filter((entry) => !handled.has(entry)),
    STORE_CONCURRENCY,
    async (entry) => {
      await putFile(layout.cacheDir, sourceOf(entry), entry.hash, entry.size);
      tick(1);
    },
  );
  // The manifest goes last: a `.dir` object in the store means all its files are there.
  const wroteManifest = await putManifest(layout.cacheDir, hash, manifest);
  return absent.length + (wroteManifest ? 1 : 0);
}

/**
 * Makes the objects just written durable before any pointer refers to them:
 * one `syncfs` of the cache's file system (`sync -f`) instead of an fsync per
 * object, which would dominate when adding many small files.
 */
async function syncStore(cacheDir: string): Promise<void> {
  const run = (args: string[]) =>
    new Promise<boolean>((resolve) =>
      execFile('sync', args, { timeout: 120_000 }, (error) => resolve(!error)),
    );
  if (!(await run(['-f', join(cacheDir, OBJECTS_FOLDER)]))) await run([]);
}

function gitignorePattern(name: string): string {
  // Anchored to this folder; escape what .gitignore would read as a pattern.
  return `/${name.replace(/[\\*?[\]!# ]/g, (char) => `\\${char}`)}`;
}

/** Adds `/<name>` to the `.gitignore` beside each data path, unless an equivalent line is there (one write per folder). */
async function ignoreInGit(dataPaths: string[]): Promise<void> {
  const byFolder = new Map<string, string[]>();
  for (const dataPath of dataPaths) {
    const names = byFolder.get(dirname(dataPath)) ?? [];
    names.push(basename(dataPath));
    byFolder.set(dirname(dataPath), names);
  }
  for (const [folder, names] of byFolder) {
    const file = join(folder, '.gitignore');
    const current = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const lines = new Set(current.split(/\r?\n/).map((line) => line.trim()));
    const missing: string[] = [];
    for (const name of names) {
      const pattern = gitignorePattern(name);
      if (lines.has(pattern) || lines.has(`${pattern}/`)) continue;
      lines.add(pattern);
      missing.push(pattern);
    }
    if (missing.length === 0) continue;
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    await writeFileAtomic(file, `${current}${separator}${missing.join('\n')}\n`);
  }
}

function assertNoOverlap(root: string, sources: string[]): Promise<void> {
  const sorted = [...sources].sort();
  for (let i = 1; i < sorted.length; i++) {
    const rel = relative(sorted[i - 1]!, sorted[i]!);
    if (rel === '' || !rel.startsWith('..')) {
      throw storeError(
        'STORE_PATH_UNSUPPORTED',
        `${toPosixRelative(root, sorted[i]!)} is given twice or lies inside ${toPosixRelative(root, sorted[i - 1]!)}`,
        {
          data: { path: sorted[i]! },
          hint: 'add either the folder or the paths inside it',
        },
      );
    }
  }
  // A path inside an already tracked folder would be tracked twice.
  return Promise.all(
    sources.map(async (source) => {
      for (
        let dir = dirname(source);
        relative(root, dir) !== '' && !relative(root, dir).startsWith('..');
        dir = dirname(dir)
      ) {
        const tracked = await fs.stat(pointerFileFor(dir)).then(
          (stat) => stat.isFile(),
          () => false,
        );
        if (tracked) {
          throw storeError(
            'STORE_PATH_UNSUPPORTED',
            `${toPosixRelative(root, source)} is inside ${toPosixRelative(root, dir)}, which is tracked already`,
            {
              data: { path: source, trackedBy: pointerFileFor(dir) },
              hint: `re-add ${toPosixRelative(root, dir)} instead`,
            },
          );
        }
      }
    }),
  ).then(() => undefined);
}

/** Hashes folders one by one (each in parallel inside) and all plain files together on the worker pool. */
async function hashAll(
  sources: string[],
  statCache: StatCache,
  options: AddOptions,
  snapshotDir?: string,
): Promise<Array<Hashed | Unread>> {
  const stats = await Promise.all(
    sources.map((source) =>
      fs.lstat(source).catch((error: unknown) => {
        throw fsError(error, source, 'read it');
      }),
    ),
  );
  const files = sources.filter((_, index) => stats[index]!.isFile());
  const fileHashes = new Map<string, Hashed>();
  if (files.length > 1) {
    const results = await hashFiles(files, {
      statCache,
      onProgress:
        options.onProgress && ((done, total) => options.onProgress!({ phase: 'hash', done, total })),
    });
    files.forEach((source, index) => {
      const { hash, size } = results[index]!;
      fileHashes.set(source, {
        source,
        pointer: { version: 1, algorithm: 'blake3', hash, size, path: basename(source) },
      });
    });
  }
  const hashed: Array<Hashed | Unread> = [];
  for (const source of sources)
    hashed.push(
      fileHashes.get(source) ?? (await hashOne(source, statCache, snapshotDir, options.onProgress)),
    );
  return hashed;
}

/**
 * Tracks files and folders: hashes them (outside the lock: reading is safe
 * concurrently), then, holding the store lock, copies new objects in, makes
 * them durable, writes `<path>.cairn` beside each path and adds the path to
 * `.gitignore`. Paths are relative to `root` unless absolute. All paths are
 * checked before anything is stored.
 */
export async function add(root: string, paths: string[], options: AddOptions = {}): Promise<Pointer[]> {
  await initWorkspace(root);
  const layout = await loadLayout(root);
  const sources = paths.map((path) => resolveWorkspacePath(layout.root, path));
  await assertNoOverlap(layout.root, sources);
  const statCache = await StatCache.load(layout.statCacheFile);
  const hashedBefore = await hashAll(sources, statCache, options, layout.snapshotDir);
  const hashed = await withLock(layout.lockPath, async () => {
    // Under the lock, gc cannot remove objects. A folder unchanged since its snapshot has nothing to
    // store if the snapshot saw all its objects and the store lost none since, or if the store holds
    // them all now (its manifest against a listing). Any other is walked for its entries.
    const trustedBeforeMs = msFromNs(statCache.trustedBefore());
    let written = 0;
    const items: Hashed[] = [];
    for (const before of hashedBefore) {
      let item = before;
      if ('snapshot' in item && item.snapshot && !presenceHolds(item.snapshot, layout.cacheDir)) {
        const held = await storeHoldsAll(layout, item.pointer, trustedBeforeMs);
        if (held.presence)
          await savePresence(layout.snapshotDir, item.snapshot, held.presence).catch(() => undefined);
        if (!held.complete)
          item = await hashOne(item.source, statCache, layout.snapshotDir, options.onProgress, {
            walk: true,
          });
      }
      if ('unread' in item) {
        const read = await readAndStore(layout, item, statCache, options.onProgress, layout.snapshotDir);
        written += read.written;
        item = read.item;
      }
      items.push(item);
    }
    // Fan-out folders stat'ed before the objects are checked: if nothing is written, they prove presence.
    // Folders hashed and stored in one read were checked already, before these stats could be taken.
    const presence = new Map<Hashed, StorePresence | undefined>(
      items.flatMap((item) =>
        item.record && item.directory && !item.stored
          ? [
              [
                item,
                fanoutRows(
                  layout.cacheDir,
                  [item.directory.hash, ...item.directory.entries.map((entry) => entry.hash)],
                  trustedBeforeMs,
                ),
              ],
            ]
          : [],
      ),
    );
    // Folders one at a time (each stores its files concurrently), plain files concurrently.
    for (const item of items.filter((entry) => entry.directory && !entry.stored)) {
      const stored = await storeHashed(layout, item, options.onProgress);
      if (stored > 0) presence.delete(item);
      written += stored;
    }
    const files = items.filter((entry) => !entry.directory && !entry.snapshot);
    const stored = await mapLimit(files, STORE_CONCURRENCY, (item) => storeHashed(layout, item));
    written += stored.reduce((sum, count) => sum + count, 0);
    // The stat cache is written while the store syncs: it only names hashes, and an object a
    // crash lost before the sync is found missing and stored again by the next add.
    await Promise.all([written > 0 ? syncStore(layout.cacheDir) : undefined, statCache.save()]);
    await mapLimit(items, STORE_CONCURRENCY, (item) => writePointer(item.source, item.pointer));
    if (options.gitignore !== false) await ignoreInGit(items.map((item) => item.source));
    // Snapshots are only a cache: one that cannot be written is taken again next time.
    await Promise.all(
      items.map((item) => {
        if (!item.record) return undefined;
        const proof = presence.get(item);
        return saveSnapshot(layout.snapshotDir, {
          ...item.record,
          ...(proof ? { presence: proof } : {}),
        }).catch(() => undefined);
      }),
    );
    return items;
  });
  return hashed.map((item) => item.pointer);
}

export interface StorePathOptions extends Pick<AddOptions, 'onProgress'> {
  /**
   * Writes what makes the stored objects live (their pointer file), still
   * holding the store lock: a gc waiting for the lock then finds them
   * referenced, never stored objects nothing names yet.
   */
  reference?: (pointer: Pointer) => Promise<unknown>;
}

/**
 * Stores a file or folder (anywhere, e.g. a training output folder) and
 * returns its pointer without touching `.gitignore`; the pointer file is
 * written by `options.reference`, if at all. `pointer.path` is the path's
 * base name.
 */
export async function storePath(
  root: string,
  path: string,
  options: StorePathOptions = {},
): Promise<Pointer> {
  await initWorkspace(root);
  const layout = await loadLayout(root);
  const source = resolve(layout.root, path);
  const statCache = StatCache.inMemory();
  const [hashed] = await hashAll([source], statCache, options);
  return withLock(layout.lockPath, async () => {
    const { item, written } =
      'unread' in hashed!
        ? await readAndStore(layout, hashed, statCache, options.onProgress)
        : { item: hashed!, written: await storeHashed(layout, hashed!, options.onProgress) };
    if (written > 0) await syncStore(layout.cacheDir);
    await options.reference?.(item.pointer);
    return item.pointer;
  });
}
