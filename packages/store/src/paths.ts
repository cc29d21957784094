import { promises as fs, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CAIRN_DIR } from './config';
import { StoreErrorCode, storeError } from './errors';
import { dataPathOf, POINTER_SUFFIX, readPointer, readPointerSync, type Pointer } from './pointer';

/** Folders never searched for pointer files. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', CAIRN_DIR, '.nx', 'dist']);

/** `path` relative to `root` with POSIX separators. */
export function toPosixRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Resolves a user path (relative to `root` unless absolute) to an absolute
 * path inside the workspace; `<data>.cairn` is taken to mean `<data>`.
 * Rejects paths outside the root (also through symlinked folders) and paths
 * inside `.cairn/`.
 */
export function resolveWorkspacePath(root: string, path: string): string {
  let absolute = resolve(root, path);
  if (absolute.endsWith(POINTER_SUFFIX) && basename(absolute) !== POINTER_SUFFIX) {
    absolute = absolute.slice(0, -POINTER_SUFFIX.length);
  }
  const realRoot = realpathOrSelf(root);
  const realParent = realpathOrSelf(dirname(absolute));
  if (!isInside(root, absolute) || !isInside(realRoot, join(realParent, basename(absolute)))) {
    throw storeError(StoreErrorCode.pathOutsideWorkspace, `${path} is outside the workspace ${root}`, {
      data: { path, root },
      hint: 'only data inside the repository can be tracked; move or copy it in first',
    });
  }
  if (absolute === root) {
    throw storeError(StoreErrorCode.pathReserved, `${path} is the workspace root itself`, {
      data: { path },
      hint: 'track a file or folder inside the workspace',
    });
  }
  const top = toPosixRelative(root, absolute).split('/')[0];
  if (top === CAIRN_DIR || top === '.git') {
    throw storeError(StoreErrorCode.pathReserved, `${path} is inside ${top}/, which cairn manages itself`, {
      data: { path },
    });
  }
  return absolute;
}

export interface PointerRecord {
  /** Absolute path of the `<data>.cairn` file. */
  file: string;
  pointer: Pointer;
}

/**
 * Every pointer file under `dir` (default: the whole workspace), sorted by
 * path. Skips node_modules, .git, .cairn, .nx, dist and the contents of
 * tracked directories (their data is described by their pointer).
 */
export async function listPointers(root: string, dir: string = root): Promise<PointerRecord[]> {
  const files: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        return;
      throw error;
    }
    const tracked = new Set<string>();
    for (const entry of entries) {
      if (entry.name.endsWith(POINTER_SUFFIX) && entry.name !== POINTER_SUFFIX && entry.isFile()) {
        tracked.add(entry.name.slice(0, -POINTER_SUFFIX.length));
        files.push(join(folder, entry.name));
      }
    }
    await Promise.all(
      entries
        .filter((entry) => entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && !tracked.has(entry.name))
        .map((entry) => walk(join(folder, entry.name))),
    );
  };
  await walk(dir);
  files.sort();
  return files.map((file) => ({ file, pointer: readPointerSync(file) }));
}

/** The pointers selected by user paths: a tracked path (or its pointer file) or any folder holding pointers. */
export async function selectPointers(root: string, paths?: string[]): Promise<PointerRecord[]> {
  if (!paths || paths.length === 0) return listPointers(root);
  const selected = new Map<string, PointerRecord>();
  for (const path of paths) {
    const absolute = resolveWorkspacePath(root, path);
    const pointerFile = `${absolute}${POINTER_SUFFIX}`;
    const exists = await fs.stat(pointerFile).then(
      (stat) => stat.isFile(),
      () => false,
    );
    if (exists) {
      selected.set(pointerFile, { file: pointerFile, pointer: await readPointer(pointerFile) });
      continue;
    }
    const isDir = await fs.stat(absolute).then(
      (stat) => stat.isDirectory(),
      () => false,
    );
    const inside = isDir ? await listPointers(root, absolute) : [];
    if (inside.length === 0) {
      throw storeError(
        StoreErrorCode.notTracked,
        `${path} is not tracked by cairn (no ${basename(pointerFile)})`,
        {
          data: { path },
          hint: 'track it with `cairn add`',
        },
      );
    }
    for (const record of inside) selected.set(record.file, record);
  }
  return [...selected.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

export { dataPathOf };

/** Runs `fn` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
