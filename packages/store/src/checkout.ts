import { constants, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { withLock } from '@cairn/fs-atomic';
import { StatCache, type ManifestEntry } from '@cairn/hash';
import { LINK_STRATEGIES, loadLayout, type Layout, type LinkStrategy } from './config';
import { errnoCode, StoreErrorCode, storeError } from './errors';
import { isDirId, objectPathIn, objectPresent, readManifestObject } from './objects';
import { dataPathOf, mapLimit, selectPointers } from './paths';
import type { Pointer } from './pointer';
import { checkWorkspaceData, statusOf, type StatusEntry } from './status';

export interface MaterializeOptions {
  /** Strategies tried in order (default: the config's `cache.link`). */
  link?: LinkStrategy[];
  /** Replace `target` if it exists and differs. */
  force?: boolean;
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

/**
 * Places objects at paths, trying the link strategies in order and
 * remembering which ones failed so a folder of 10,000 files does not retry a
 * reflink 10,000 times. Hardlinks and symlinks share the read-only object
 * (0444), so a linked file cannot be edited in place (as a non-root user);
 * reflinks and copies are private and writable. Executable files are never
 * hardlinked or symlinked (the shared object is not executable).
 */
class Placer {
  private readonly failed = new Set<LinkStrategy>();
  readonly used = new Map<LinkStrategy, number>();

  constructor(
    private readonly layout: Layout,
    private readonly strategies: LinkStrategy[],
    private readonly statCache: StatCache,
  ) {
    for (const strategy of strategies) {
      if (!LINK_STRATEGIES.includes(strategy)) {
        throw storeError(StoreErrorCode.linkFailed, `unknown link strategy "${String(strategy)}"`, {
          data: { strategy },
          hint: `valid: ${LINK_STRATEGIES.join(', ')}`,
        });
      }
    }
  }

  /** Creates `dest` (which must not exist) with the object's content. */
  async place(hash: string, dest: string, executable: boolean): Promise<void> {
    const object = objectPathIn(this.layout.cacheDir, hash);
    let lastError: unknown;
    for (const strategy of this.strategies) {
      if (this.failed.has(strategy)) continue;
      if (executable && (strategy === 'hardlink' || strategy === 'symlink')) continue;
      try {
        await this.try(strategy, hash, object, dest, executable);
        this.used.set(strategy, (this.used.get(strategy) ?? 0) + 1);
        return;
      } catch (error) {
        lastError = error;
        await fs.rm(dest, { force: true });
        if (errnoCode(error) === 'ENOENT') {
          throw storeError(StoreErrorCode.objectMissing, `object ${hash} is not in the cache`, {
            data: { id: hash, path: dest },
            hint: 'fetch it with `cairn pull`',
          });
        }
        if (!UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
        this.failed.add(strategy);
      }
    }
    throw storeError(
      StoreErrorCode.linkFailed,
      `could not place ${dest} with any of: ${this.strategies.join(', ')}`,
      {
        data: { path: dest, strategies: this.strategies },
        hint: 'add "copy" to cache.link in .cairn/config.json (or pass --link copy)',
        cause: lastError,
      },
    );
  }

  private async try(
    strategy: LinkStrategy,
    hash: string,
    object: string,
    dest: string,
    executable: boolean,
  ): Promise<void> {
    switch (strategy) {
      case 'hardlink': {
        await fs.link(object, dest);
        // Same inode as the object; if it was stored long enough ago the next status need not read it.
        this.statCache.remember(dest, await fs.stat(dest, { bigint: true }), 'blake3', hash);
        return;
      }
      case 'symlink':
        await fs.symlink(object, dest);
        return;
      case 'reflink':
      case 'copy': {
        const flags =
          constants.COPYFILE_EXCL | (strategy === 'reflink' ? constants.COPYFILE_FICLONE_FORCE : 0);
        await fs.copyFile(object, dest, flags);
        // A private copy: writable, executable if the manifest says so.
        await fs.chmod(dest, executable ? 0o755 : 0o644);
        return;
      }
    }
  }
}

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.cairn-${randomBytes(4).toString('hex')}.tmp`);
}

async function removeTree(path: string): Promise<void> {
  await fs.rm(path, { recursive: true, force: true });
}

async function placeFile(placer: Placer, hash: string, target: string, executable: boolean): Promise<void> {
  const temp = tempSibling(target);
  await placer.place(hash, temp, executable);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

async function placeEntries(placer: Placer, dir: string, entries: ManifestEntry[]): Promise<void> {
  const folders = new Set<string>();
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  for (const folder of [...folders].sort())
    await fs.mkdir(join(dir, ...folder.split('/')), { recursive: true });
  await mapLimit(entries, 16, (entry) =>
    placer.place(entry.hash, join(dir, ...entry.path.split('/')), entry.executable),
  );
}

async function exists(path: string): Promise<boolean> {
  return fs.lstat(path).then(
    () => true,
    () => false,
  );
}

/** Builds the folder beside the target, then swaps it in, so a crash never leaves a half-written folder at `target`. */
async function materializeDirectory(
  placer: Placer,
  layout: Layout,
  pointer: Pointer,
  target: string,
): Promise<void> {
  const entries = await readManifestObject(layout.cacheDir, pointer.hash);
  const temp = tempSibling(target);
  await fs.mkdir(temp, { recursive: true });
  try {
    await placeEntries(placer, temp, entries);
    if (await exists(target)) {
      const old = tempSibling(target);
      await fs.rename(target, old);
      await fs.rename(temp, target);
      await removeTree(old);
    } else {
      await fs.rename(temp, target);
    }
  } catch (error) {
    await removeTree(temp);
    throw error;
  }
}

async function assertPresent(layout: Layout, pointer: Pointer): Promise<void> {
  if (!(await objectPresent(layout.cacheDir, pointer.hash))) {
    throw storeError(
      StoreErrorCode.objectMissing,
      `object ${pointer.hash} (${pointer.path}) is not in the cache`,
      {
        data: { id: pointer.hash, path: pointer.path },
        hint: 'fetch it with `cairn pull`',
      },
    );
  }
}

async function materializeWith(
  placer: Placer,
  layout: Layout,
  pointer: Pointer,
  target: string,
): Promise<void> {
  await assertPresent(layout, pointer);
  await fs.mkdir(dirname(target), { recursive: true });
  if (isDirId(pointer.hash)) await materializeDirectory(placer, layout, pointer, target);
  else {
    if ((await fs.lstat(target).catch(() => undefined))?.isDirectory()) await removeTree(target);
    await placeFile(placer, pointer.hash, target, false);
  }
}

/**
 * Restores one pointer's content at any `target` path (e.g. a scratch folder
 * for training). A target that already holds exactly this content is left
 * alone; one with other content is replaced only with `force`.
 */
export async function materialize(
  root: string,
  pointer: Pointer,
  target: string,
  options: MaterializeOptions = {},
): Promise<void> {
  const layout = await loadLayout(root);
  const statCache = StatCache.inMemory();
  if (!options.force && (await exists(target))) {
    // Already there (e.g. materialized by an earlier run): nothing to do.
    if ((await checkWorkspaceData(target, pointer, statCache)).matches) return;
    throw storeError(
      StoreErrorCode.wouldOverwrite,
      `${target} exists with other content; refusing to replace it`,
      {
        data: { path: target },
        hint: 'remove it first or pass force',
      },
    );
  }
  await withLock(layout.lockPath, () =>
    materializeWith(new Placer(layout, options.link ?? layout.link, statCache), layout, pointer, target),
  );
}

export interface CheckoutResult {
  /** Paths (relative to the root) whose data was written. */
  restored: string[];
  /** Paths already matching their pointer. */
  unchanged: string[];
  /** How many files each strategy placed. */
  links: Partial<Record<LinkStrategy, number>>;
}

/**
 * Restores tracked data from the store: missing data is restored, missing
 * files inside a tracked folder are put back, and modified data is replaced
 * only with `force` (otherwise nothing is touched and CHECKOUT_WOULD_OVERWRITE
 * lists the paths). Data whose objects are not in the cache fails with
 * STORE_OBJECT_MISSING before anything is written.
 */
export async function checkout(
  root: string,
  paths?: string[],
  options: MaterializeOptions = {},
): Promise<CheckoutResult> {
  const layout = await loadLayout(root);
  const records = await selectPointers(layout.root, paths);
  const statCache = await StatCache.load(layout.statCacheFile);
  const placer = new Placer(layout, options.link ?? layout.link, statCache);
  const result = await withLock(layout.lockPath, async () => {
    const states = await statusOf(layout, records, statCache);
    const onDiskClean = (entry: StatusEntry) => entry.actualHash === entry.hash;
    const onlyDeletions = (entry: StatusEntry) =>
      entry.changes !== undefined && entry.changes.added.length === 0 && entry.changes.modified.length === 0;
    const conflicts = states.filter((entry) => entry.state === 'modified' && !onlyDeletions(entry));
    if (conflicts.length > 0 && !options.force) {
      throw storeError(
        StoreErrorCode.wouldOverwrite,
        `checkout would overwrite local changes in: ${conflicts.map((entry) => entry.path).join(', ')}`,
        {
          data: { paths: conflicts.map((entry) => entry.path) },
          hint: 'keep the changes with `cairn add`, or discard them with `cairn checkout --force`',
        },
      );
    }
    const notInCache = states.filter((entry) => !onDiskClean(entry) && !entry.inCache);
    if (notInCache.length > 0) {
      throw storeError(
        StoreErrorCode.objectMissing,
        `not in the cache: ${notInCache.map((entry) => entry.path).join(', ')}`,
        {
          data: { paths: notInCache.map((entry) => entry.path) },
          hint: 'fetch the objects with `cairn pull`',
        },
      );
    }
    const restored: string[] = [];
    const unchanged: string[] = [];
    for (const [index, entry] of states.entries()) {
      const { file, pointer } = records[index]!;
      const target = dataPathOf(file, pointer);
      if (onDiskClean(entry)) {
        unchanged.push(entry.path);
      } else if (entry.state === 'modified' && !options.force) {
        // Only files deleted inside a folder: put them back in place, touch nothing else.
        const manifest = await readManifestObject(layout.cacheDir, pointer.hash);
        const deleted = new Set(entry.changes!.deleted);
        await placeEntries(
          placer,
          target,
          manifest.filter((item) => deleted.has(item.path)),
        );
        restored.push(entry.path);
      } else {
        await materializeWith(placer, layout, pointer, target);
        restored.push(entry.path);
      }
    }
    return { restored, unchanged, links: Object.fromEntries(placer.used) };
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
  for (const { file, pointer } of records) {
    const target = dataPathOf(file, pointer);
    const files = isDirId(pointer.hash)
      ? (await readManifestObject(layout.cacheDir, pointer.hash)).map((entry) => ({
          path: join(target, ...entry.path.split('/')),
          executable: entry.executable,
        }))
      : [{ path: target, executable: false }];
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
