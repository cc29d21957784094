import { constants, lstatSync, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { withLock } from '@cairn/fs-atomic';
import { createHasher, hashDirectory, hashFile, StatCache, type ManifestEntry } from '@cairn/hash';
import {
  LINK_STRATEGIES,
  loadLayout,
  placementStrategies,
  type Layout,
  type LinkStrategy,
  type LinkWarning,
} from './config';
import { errnoCode, storeError } from './errors';
import { digestOf, isDirId, objectPath } from './layout';
import { objectPresent, readManifestObject } from './objects';
import {
  assertManifestSafe,
  confinedTarget,
  mapLimit,
  selectPointers,
  toPosixRelative,
  type PathSource,
  type PointerRecord,
} from './paths';
import type { Pointer } from './pointer';
import { checkWorkspaceData, diffEntries, statusOf, type DirectoryChanges, type StatusEntry } from './status';
import { quarantineObject } from './verify';

export interface MaterializeOptions {
  /** Strategies tried in order (default: the config's `cache.link`). */
  link?: LinkStrategy[];
  /** Replace `target` if it exists and differs. */
  force?: boolean;
  /** Where the pointer came from, named in refusals (default: the target). */
  source?: PathSource;
  /**
   * materialize only: the folder the target must lie in, when it is not the
   * workspace (a private scratch folder the caller just created, e.g. for
   * serving a model); the same confinement rules apply inside it.
   */
  within?: string;
}

/** Errors that mean "this strategy cannot work here", so the next one is tried. */
const UNSUPPORTED = new Set([
  'EXDEV',
  'EPERM',
  'EMLINK',
  'ENOTSUP',
  'EOPNOTSUPP',
  'EINVAL',
  'ENOSYS',
  'ENOTTY',
  'EACCES',
]);

/** Read size of the verifying copy (2, 8 and 16 MiB measured no better: docs/benchmarks/nx-plugin.md). */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Chunks in flight per copy: while one is hashed (on this thread), the next is
 * read and the previous written (both on libuv's threadpool), so a large copy
 * costs about its slowest stage rather than the sum of the three.
 */
const COPY_BUFFERS = 3;

async function writeAll(handle: fs.FileHandle, chunk: Buffer): Promise<void> {
  for (let written = 0; written < chunk.length;)
    written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
}

/**
 * Copies `object` to the new file `dest`, hashing every chunk on its way
 * through, so what was written is what was verified, with no second read.
 * Returns the BLAKE3 of the bytes written.
 */
async function copyHashing(object: string, dest: string, mode: number): Promise<string> {
  const input = await fs.open(object, 'r');
  try {
    const size = (await input.stat()).size;
    const output = await fs.open(dest, 'wx', mode);
    // Every read and write started is awaited before the files close, whichever fails first;
    // the no-op catch marks each as handled at once, so a failure seen later is not an unhandled rejection.
    const started: Array<Promise<unknown>> = [];
    const track = <T>(operation: Promise<T>): Promise<T> => {
      started.push(operation.catch(() => undefined));
      return operation;
    };
    try {
      const hasher = createHasher('blake3');
      const length = Math.max(1, Math.min(COPY_CHUNK_BYTES, size));
      const chunks = Math.ceil(size / length);
      const buffers = Array.from({ length: Math.min(COPY_BUFFERS, chunks) }, () =>
        Buffer.allocUnsafe(length),
      );
      const expected = (index: number): number => Math.min(length, size - index * length);
      const readChunk = async (index: number): Promise<Buffer> => {
        const buffer = buffers[index % buffers.length]!;
        const { bytesRead } = await input.read(buffer, 0, expected(index), index * length);
        return buffer.subarray(0, bytesRead);
      };
      const reads: Array<Promise<Buffer>> = [];
      for (let index = 0; index < Math.min(chunks, Math.max(1, buffers.length - 1)); index++)
        reads[index] = track(readChunk(index));
      let written: Promise<void> = Promise.resolve();
      for (let index = 0; index < chunks; index++) {
        const chunk = await reads[index]!;
        hasher.update(chunk);
        // Once chunk index-1 is written, its buffer takes the read of chunk index+buffers-1.
        const previous = written;
        written = track(previous.then(() => writeAll(output, chunk)));
        const next = index + buffers.length - 1;
        if (next > index && next < chunks) reads[next] = track(previous.then(() => readChunk(next)));
        // The object shrank under us: stop here; the hash of what was written cannot match its id.
        if (chunk.length < expected(index)) break;
      }
      await written;
      await output.chmod(mode);
      return hasher.digestHex();
    } finally {
      await Promise.all(started);
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/**
 * Places objects at paths, trying the link strategies in order and
 * remembering which ones failed so a folder of 10,000 files does not retry a
 * reflink 10,000 times. Every placement is verified against the object id
 * before anyone can see it: a copy is hashed while it is written; a reflink
 * (which copies no data, so there is nothing to hash on the way) and the
 * opt-in hardlink/symlink are hashed once after they succeed. A mismatch
 * quarantines the object, removes what was placed and fails with
 * STORE_OBJECT_CORRUPT. Reflinks and copies are private and writable;
 * hardlinks and symlinks share the stored object (opt-in, never for root,
 * never for executable files).
 */
class Placer {
  private readonly failed = new Set<LinkStrategy>();
  readonly used = new Map<LinkStrategy, number>();
  readonly strategies: LinkStrategy[];
  readonly warnings: LinkWarning[];

  constructor(
    private readonly layout: Layout,
    requested: LinkStrategy[],
    private readonly statCache: StatCache,
  ) {
    for (const strategy of requested) {
      if (!LINK_STRATEGIES.includes(strategy)) {
        throw storeError('CHECKOUT_LINK_FAILED', `unknown link strategy "${String(strategy)}"`, {
          data: { strategy },
          hint: `valid: ${LINK_STRATEGIES.join(', ')}`,
        });
      }
    }
    ({ strategies: this.strategies, warnings: this.warnings } = placementStrategies(requested));
  }

  /** Creates `dest` (which must not exist, and nobody reads yet) with the verified content of object `hash`. */
  async place(hash: string, dest: string, executable: boolean): Promise<void> {
    const object = objectPath(this.layout.cacheDir, hash);
    let lastError: unknown;
    for (const strategy of this.strategies) {
      if (this.failed.has(strategy)) continue;
      if (executable && (strategy === 'hardlink' || strategy === 'symlink')) continue;
      let actual: string;
      try {
        actual = await this.try(strategy, object, dest, executable);
      } catch (error) {
        lastError = error;
        await fs.rm(dest, { force: true });
        if (errnoCode(error) === 'ENOENT') {
          throw storeError('STORE_OBJECT_MISSING', `object ${hash} is not in the cache`, {
            data: { id: hash, path: dest },
            hint: 'fetch it with `cairn pull`',
          });
        }
        if (!UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
        this.failed.add(strategy);
        continue;
      }
      if (actual !== digestOf(hash)) {
        await fs.rm(dest, { force: true });
        throw await this.corrupt(hash);
      }
      if (strategy === 'hardlink') {
        // Same inode as the object; if it was stored long enough ago the next status need not read it.
        this.statCache.remember(dest, await fs.stat(dest, { bigint: true }), 'blake3', hash);
      }
      this.used.set(strategy, (this.used.get(strategy) ?? 0) + 1);
      return;
    }
    throw storeError(
      'CHECKOUT_LINK_FAILED',
      `could not place ${dest} with any of: ${this.strategies.join(', ')}`,
      {
        data: { path: dest, strategies: this.strategies },
        hint: 'add "copy" to cache.link in .cairn/config.json (or pass --link copy)',
        cause: lastError,
      },
    );
  }

  /** Quarantines object `hash` and returns the error that reports it. */
  async corrupt(hash: string): Promise<Error> {
    const file = objectPath(this.layout.cacheDir, hash);
    const moved = await quarantineObject(this.layout, hash);
    return storeError(
      'STORE_OBJECT_CORRUPT',
      `object ${hash} no longer matches its hash; it was moved to ${moved} and nothing was written`,
      {
        data: { id: hash, ids: [hash], file, quarantined: moved },
        hint: 'fetch a good copy with `cairn pull` (checkout does this itself when a default remote is configured), or re-add the data',
      },
    );
  }

  /** Places with one strategy; returns the BLAKE3 of what now sits at `dest`. */
  private async try(
    strategy: LinkStrategy,
    object: string,
    dest: string,
    executable: boolean,
  ): Promise<string> {
    switch (strategy) {
      case 'hardlink':
        await fs.link(object, dest);
        return (await hashFile(dest)).hash;
      case 'symlink':
        await fs.symlink(object, dest);
        return (await hashFile(dest)).hash;
      case 'reflink':
        await fs.copyFile(object, dest, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
        // A private clone: writable, executable if the manifest says so.
        await fs.chmod(dest, executable ? 0o755 : 0o644);
        return (await hashFile(dest)).hash;
      case 'copy':
        return copyHashing(object, dest, executable ? 0o755 : 0o644);
    }
  }
}

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.cairn-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Removes temp siblings of `target` left by a checkout that was killed. Only
 * called under the store lock, which every writer of such files holds, so
 * any that exist belong to nobody.
 */
async function sweepStaleTemps(target: string): Promise<void> {
  await sweepStaleTempsOf([target]);
}

/** `sweepStaleTemps` for many targets, reading each parent folder once. */
async function sweepStaleTempsOf(targets: string[]): Promise<void> {
  const byFolder = new Map<string, Set<string>>();
  for (const target of targets) {
    const names = byFolder.get(dirname(target)) ?? new Set<string>();
    byFolder.set(dirname(target), names.add(basename(target)));
  }
  for (const [folder, targetNames] of byFolder) {
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const match = /^\.(.+)\.cairn-[0-9a-f]{8}\.tmp$/.exec(name);
      if (match && targetNames.has(match[1]!)) await removeTree(join(folder, name));
    }
  }
}

async function removeTree(path: string): Promise<void> {
  await fs.rm(path, { recursive: true, force: true });
}

/** Runs `fn` over `items` (16 at a time); on the first failure no new item starts, and that failure is thrown once all in flight have settled. */
async function eachSettled<T>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  await mapLimit(items, 16, async (item, index) => {
    if (failure) return;
    try {
      await fn(item, index);
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure) throw failure.error;
}

/** Creates the folders of `entries` under `dir` (which is ours: freshly made, so no symlinks in it). */
async function makeFolders(dir: string, entries: readonly ManifestEntry[]): Promise<void> {
  const folders = new Set<string>();
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  for (const folder of [...folders].sort())
    await fs.mkdir(join(dir, ...folder.split('/')), { recursive: true });
}

/** Replaces the file at `target` with the verified object: written beside it, then renamed over it (old or new bytes, never a mix). */
async function replaceFile(placer: Placer, hash: string, target: string, executable: boolean): Promise<void> {
  const temp = tempSibling(target);
  await placer.place(hash, temp, executable);
  try {
    if (lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) await removeTree(target);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** What a folder checkout writes: the folder's manifest, where it came from, and its workspace path relative to the root. */
interface FolderPlan {
  entries: ManifestEntry[];
  source: PathSource;
  relTarget: string;
}

/**
 * Brings the folder at `target` to the manifest. A missing folder (or a file
 * in its place) is built beside it and renamed in. An existing folder is
 * updated file by file, so a crash leaves every file with its old or its new
 * bytes: the files to write are first staged (and verified) in a hidden
 * sibling folder, and only when all of them are good are the extra files
 * removed and each staged file renamed over its path. A corrupt object thus
 * leaves the folder untouched.
 */
async function materializeDirectory(
  placer: Placer,
  root: string,
  plan: FolderPlan,
  target: string,
  changes?: DirectoryChanges,
): Promise<void> {
  const { entries } = plan;
  const existing = lstatSync(target, { throwIfNoEntry: false });
  if (!existing?.isDirectory()) {
    const temp = tempSibling(target);
    await fs.mkdir(temp);
    try {
      await makeFolders(temp, entries);
      await eachSettled(entries, (entry) =>
        placer.place(entry.hash, join(temp, ...entry.path.split('/')), entry.executable),
      );
      if (existing) await fs.rm(target, { force: true });
      await fs.rename(temp, target);
    } catch (error) {
      await removeTree(temp);
      throw error;
    }
    return;
  }
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const diff = changes ?? diffEntries(entries, (await hashDirectory(target)).entries);
  const toWrite = [...diff.modified, ...diff.deleted].map((path) => byPath.get(path)!);
  // Every path about to be written is checked against the tree as it is now (a symlinked subfolder, a file where a folder should be).
  const removable = new Set(diff.added);
  for (const entry of toWrite) {
    const parts = entry.path.split('/');
    const blockedBy = parts.slice(0, -1).findIndex((_, i) => removable.has(parts.slice(0, i + 1).join('/')));
    // A file the manifest replaces by a folder is removed first (so only the path up to it is checked);
    // anything else in the way is refused.
    const checked = blockedBy < 0 ? entry.path : parts.slice(0, blockedBy + 1).join('/');
    confinedTarget(root, `${plan.relTarget}/${checked}`, plan.source);
  }
  if (toWrite.length === 0 && removable.size === 0) return;
  const staging = tempSibling(target);
  await fs.mkdir(staging);
  try {
    await eachSettled(toWrite, (entry, index) =>
      placer.place(entry.hash, join(staging, String(index)), entry.executable),
    );
    for (const path of removable) await fs.rm(join(target, ...path.split('/')), { force: true });
    for (const [index, entry] of toWrite.entries()) {
      const final = join(target, ...entry.path.split('/'));
      await fs.mkdir(dirname(final), { recursive: true });
      if (lstatSync(final, { throwIfNoEntry: false })?.isDirectory()) await removeTree(final);
      await fs.rename(join(staging, String(index)), final);
    }
  } finally {
    await removeTree(staging);
  }
}

async function assertPresent(layout: Layout, pointer: Pointer): Promise<void> {
  if (!(await objectPresent(layout.cacheDir, pointer.hash))) {
    throw storeError('STORE_OBJECT_MISSING', `object ${pointer.hash} (${pointer.path}) is not in the cache`, {
      data: { id: pointer.hash, path: pointer.path },
      hint: 'fetch it with `cairn pull`',
    });
  }
}

/** Reads a folder's manifest for writing it out: a corrupt one is quarantined, an unsafe one refused (nothing written either way). */
async function manifestForWriting(
  placer: Placer,
  layout: Layout,
  pointer: Pointer,
  source: PathSource,
): Promise<ManifestEntry[]> {
  let entries: ManifestEntry[];
  try {
    entries = await readManifestObject(layout.cacheDir, pointer.hash);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'STORE_OBJECT_CORRUPT') throw await placer.corrupt(pointer.hash);
    if (code === 'HASH_BAD_MANIFEST') {
      throw storeError(
        'STORE_MANIFEST_INVALID',
        `${source.file}: /hash names manifest ${pointer.hash}, which ${(error as Error).message}; nothing was written`,
        {
          data: { file: source.file, pointer: '/hash', manifest: pointer.hash },
          hint: 'a manifest lists each file once by a plain relative path; re-add the folder or pull it again',
          cause: error,
        },
      );
    }
    throw error;
  }
  assertManifestSafe(entries, { ...source, manifest: pointer.hash });
  return entries;
}

async function materializeWith(
  placer: Placer,
  layout: Layout,
  base: string,
  pointer: Pointer,
  target: string,
  source: PathSource,
  changes?: DirectoryChanges,
): Promise<void> {
  await assertPresent(layout, pointer);
  await sweepStaleTemps(target);
  const relTarget = toPosixRelative(base, target);
  if (isDirId(pointer.hash)) {
    const entries = await manifestForWriting(placer, layout, pointer, source);
    await fs.mkdir(dirname(target), { recursive: true });
    await materializeDirectory(placer, base, { entries, source, relTarget }, target, changes);
  } else {
    await fs.mkdir(dirname(target), { recursive: true });
    await replaceFile(placer, pointer.hash, target, false);
  }
}

/** The workspace target of a pointer, through the one confinement check (see confinedTarget). */
function pointerTarget(layout: Layout, record: PointerRecord): { target: string; source: PathSource } {
  const pointerFile = toPosixRelative(layout.root, record.file);
  const folder = toPosixRelative(layout.root, dirname(record.file));
  const source = { file: pointerFile, field: '/path' };
  const rel = folder === '' ? record.pointer.path : `${folder}/${record.pointer.path}`;
  return { target: confinedTarget(layout.root, rel, source, [layout.cacheDir]), source };
}

/**
 * Restores one pointer's content at `target` (which must lie inside the
 * workspace, e.g. a dataset's data or dist/cairn/<project>/model). A target
 * that already holds exactly this content is left alone; one with other
 * content is replaced only with `force`. Returns warnings about the link
 * policy (e.g. hardlinks refused for root).
 */
export async function materialize(
  root: string,
  pointer: Pointer,
  target: string,
  options: MaterializeOptions = {},
): Promise<LinkWarning[]> {
  const layout = await loadLayout(root);
  const base = options.within ? resolve(options.within) : layout.root;
  const source = options.source ?? { file: toPosixRelative(base, target), field: '/path' };
  const confined = confinedTarget(base, toPosixRelative(base, resolve(target)), source, [layout.cacheDir]);
  const statCache = StatCache.inMemory();
  if (lstatSync(confined, { throwIfNoEntry: false })) {
    // Already there (e.g. materialized by an earlier run): nothing to do.
    if ((await checkWorkspaceData(confined, pointer, statCache)).matches) return [];
    if (!options.force) {
      throw storeError(
        'CHECKOUT_WOULD_OVERWRITE',
        `${target} exists with other content; refusing to replace it`,
        {
          data: { path: target },
          hint: 'remove it first or pass force',
        },
      );
    }
  }
  const placer = new Placer(layout, options.link ?? layout.link, statCache);
  await withLock(layout.lockPath, () => materializeWith(placer, layout, base, pointer, confined, source));
  return placer.warnings;
}

export interface CheckoutResult {
  /** Paths (relative to the root) whose data was written. */
  restored: string[];
  /** Paths already matching their pointer. */
  unchanged: string[];
  /** How many files each strategy placed. */
  links: Partial<Record<LinkStrategy, number>>;
  /** About the link policy, e.g. hardlinks not used for root. */
  warnings: LinkWarning[];
}

/**
 * Restores tracked data from the store: missing data is restored, missing
 * files inside a tracked folder are put back, and modified data is replaced
 * only with `force` (otherwise nothing is touched and CHECKOUT_WOULD_OVERWRITE
 * lists the paths). Before anything is written, every pointer's target goes
 * through confinedTarget and every folder's manifest through
 * assertManifestSafe; data whose objects are not in the cache fails with
 * STORE_OBJECT_MISSING. Every byte written is verified against its object
 * id; a corrupt object is quarantined and fails with STORE_OBJECT_CORRUPT,
 * leaving that data as it was.
 */
export async function checkout(
  root: string,
  paths?: string[],
  options: MaterializeOptions = {},
): Promise<CheckoutResult> {
  const layout = await loadLayout(root);
  const records = await selectPointers(layout.root, paths);
  // Refusals come first: one hostile pointer means nothing is written at all.
  const targets = records.map((record) => pointerTarget(layout, record));
  const statCache = await StatCache.load(layout.statCacheFile);
  const placer = new Placer(layout, options.link ?? layout.link, statCache);
  const result = await withLock(layout.lockPath, async () => {
    const states = await statusOf(layout, records, statCache, layout.snapshotDir);
    const onDiskClean = (entry: StatusEntry) => entry.actualHash === entry.hash;
    const onlyDeletions = (entry: StatusEntry) =>
      entry.changes !== undefined && entry.changes.added.length === 0 && entry.changes.modified.length === 0;
    const conflicts = states.filter((entry) => entry.state === 'modified' && !onlyDeletions(entry));
    if (conflicts.length > 0 && !options.force) {
      throw storeError(
        'CHECKOUT_WOULD_OVERWRITE',
        `checkout would overwrite local changes in: ${conflicts.map((entry) => entry.path).join(', ')}`,
        {
          data: { paths: conflicts.map((entry) => entry.path) },
          hint: 'keep the changes with `cairn add`, or discard them with `cairn checkout --force`',
        },
      );
    }
    const notInCache = states.filter((entry) => !onDiskClean(entry) && !entry.inCache);
    for (const entry of notInCache) {
      // A folder whose manifest is present but unreadable: report why (corrupt, unsafe), not "missing".
      const index = states.indexOf(entry);
      const { pointer } = records[index]!;
      if (isDirId(pointer.hash) && (await objectPresent(layout.cacheDir, pointer.hash)))
        await manifestForWriting(placer, layout, pointer, targets[index]!.source);
    }
    if (notInCache.length > 0) {
      throw storeError(
        'STORE_OBJECT_MISSING',
        `not in the cache: ${notInCache.map((entry) => entry.path).join(', ')}`,
        {
          data: { paths: notInCache.map((entry) => entry.path) },
          hint: 'fetch the objects with `cairn pull`',
        },
      );
    }
    const pending = states.flatMap((entry, index) => (onDiskClean(entry) ? [] : [index]));
    // Every manifest about to be written out is checked before the first byte is.
    for (const index of pending) {
      const { pointer } = records[index]!;
      if (isDirId(pointer.hash)) await manifestForWriting(placer, layout, pointer, targets[index]!.source);
    }
    const restored: string[] = [];
    const unchanged = states.filter(onDiskClean).map((entry) => entry.path);
    // A checkout killed after its last rename leaves a complete target and its staging sibling:
    // an up-to-date target is not written again, so its leftovers are swept here.
    await sweepStaleTempsOf(
      states.flatMap((entry, index) => (onDiskClean(entry) ? [targets[index]!.target] : [])),
    );
    for (const index of pending) {
      const entry = states[index]!;
      const { pointer } = records[index]!;
      const { target, source } = targets[index]!;
      // A modified folder's diff is known; without force it only lists deleted files, which are put back.
      await materializeWith(placer, layout, layout.root, pointer, target, source, entry.changes);
      restored.push(entry.path);
    }
    return { restored, unchanged, links: Object.fromEntries(placer.used), warnings: placer.warnings };
  });
  await statCache.save().catch(() => undefined);
  return result;
}

/**
 * Replaces linked (shared, read-only) files of tracked data with private
 * writable copies, so they can be edited without touching the store.
 * Returns the number of files copied.
 */
export async function unprotect(root: string, paths: string[]): Promise<number> {
  const layout = await loadLayout(root);
  const records = await selectPointers(layout.root, paths);
  let copied = 0;
  for (const record of records) {
    const { pointer } = record;
    const { target, source } = pointerTarget(layout, record);
    const relTarget = toPosixRelative(layout.root, target);
    let files = [{ path: target, executable: false }];
    if (isDirId(pointer.hash)) {
      const entries = await readManifestObject(layout.cacheDir, pointer.hash);
      assertManifestSafe(entries, { ...source, manifest: pointer.hash });
      files = entries.map((entry) => ({
        path: confinedTarget(layout.root, `${relTarget}/${entry.path}`, source),
        executable: entry.executable,
      }));
    }
    for (const item of files) {
      const stat = await fs.lstat(item.path).catch(() => undefined);
      if (!stat) continue;
      const shared = stat.isSymbolicLink() || stat.nlink > 1 || (stat.mode & 0o200) === 0;
      if (!shared) continue;
      const temp = tempSibling(item.path);
      await fs.copyFile(item.path, temp, constants.COPYFILE_EXCL);
      await fs.chmod(temp, item.executable ? 0o755 : 0o644);
      await fs.rename(temp, item.path);
      copied++;
    }
  }
  return copied;
}
