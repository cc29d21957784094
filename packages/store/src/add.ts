import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { withLock, writeFileAtomic } from '@cairn/fs-atomic';
import {
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
import { storeOnWorkers, storeWorkersAvailable } from './store-workers';
import { mapLimit, resolveWorkspacePath, toPosixRelative } from './paths';
import { POINTER_SUFFIX, pointerFileFor, readPointer, writePointer, type Pointer } from './pointer';
import { trackedFolderHash } from './fast-status';
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
    ignore: (path) => {
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
    },
  });
}

async function hashOne(
  source: string,
  statCache: StatCache,
  snapshotDir: string | undefined,
  onProgress?: AddOptions['onProgress'],
  /** walk: never answer from the snapshot (its objects must be checked, so the entries are needed). */
  options: { walk?: boolean } = {},
): Promise<Hashed> {
  let stat;
  try {
    stat = await fs.lstat(source, { bigint: true });
  } catch (error) {
    throw fsError(error, source, 'read it');
  }
  const name = basename(source);
  if (stat.isDirectory()) {
    // Unchanged since the last add: answered by its snapshot or the stat cache without starting workers.
    const folder = await trackedFolderHash(
      source,
      statCache,
      snapshotDir,
      options.walk
        ? undefined
        : await readPointer(pointerFileFor(source)).then(
            (pointer) => pointer.hash,
            () => undefined,
          ),
      (dir) => hashForAdd(dir, statCache, onProgress),
    );
    if (folder.snapshot) {
      const { hash, size, nfiles } = folder.snapshot;
      return {
        source,
        snapshot: folder.snapshot,
        pointer: { version: 1, algorithm: 'blake3', hash, size, nfiles, path: name },
      };
    }
    // A walk that found a pointer file inside goes the long way, which reports it.
    const directory = folder.entries!.some((entry) => entry.path.endsWith(POINTER_SUFFIX))
      ? await hashForAdd(source, statCache, onProgress)
      : folder.directory!;
    return {
      source,
      directory,
      ...(folder.record ? { record: folder.record } : {}),
      pointer: {
        version: 1,
        algorithm: 'blake3',
        hash: directory.hash,
        size: directory.size,
        nfiles: directory.nfiles,
        path: name,
      },
    };
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
): Promise<Hashed[]> {
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
  const hashed: Hashed[] = [];
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
    const items = await Promise.all(
      hashedBefore.map(async (item) => {
        if (!item.snapshot || presenceHolds(item.snapshot, layout.cacheDir)) return item;
        const held = await storeHoldsAll(layout, item.pointer, trustedBeforeMs);
        if (!held.complete)
          return hashOne(item.source, statCache, layout.snapshotDir, options.onProgress, { walk: true });
        if (held.presence)
          await savePresence(layout.snapshotDir, item.snapshot, held.presence).catch(() => undefined);
        return item;
      }),
    );
    // Fan-out folders stat'ed before the objects are checked: if nothing is written, they prove presence.
    const presence = new Map<Hashed, StorePresence | undefined>(
      items.flatMap((item) =>
        item.record && item.directory
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
    let written = 0;
    for (const item of items.filter((entry) => entry.directory)) {
      const stored = await storeHashed(layout, item, options.onProgress);
      if (stored > 0) presence.delete(item);
      written += stored;
    }
    const files = items.filter((entry) => !entry.directory && !entry.snapshot);
    const stored = await mapLimit(files, STORE_CONCURRENCY, (item) => storeHashed(layout, item));
    written += stored.reduce((sum, count) => sum + count, 0);
    if (written > 0) await syncStore(layout.cacheDir);
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
  await statCache.save();
  return hashed.map((item) => item.pointer);
}

/**
 * Stores a file or folder (anywhere, e.g. a training output folder) and
 * returns its pointer without writing a pointer file or touching
 * `.gitignore`. `pointer.path` is the path's base name.
 */
export async function storePath(
  root: string,
  path: string,
  options: Pick<AddOptions, 'onProgress'> = {},
): Promise<Pointer> {
  await initWorkspace(root);
  const layout = await loadLayout(root);
  const source = resolve(layout.root, path);
  const statCache = StatCache.inMemory();
  const [item] = await hashAll([source], statCache, options);
  await withLock(layout.lockPath, async () => {
    if ((await storeHashed(layout, item!, options.onProgress)) > 0) await syncStore(layout.cacheDir);
  });
  return item!.pointer;
}
