import { promises as fs, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ManifestEntry } from '@cairn/hash';
import { CAIRN_DIR } from './layout';
import { storeError, type StoreCode } from './errors';
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
    throw storeError('STORE_PATH_OUTSIDE_WORKSPACE', `${path} is outside the workspace ${root}`, {
      data: { path, root },
      hint: 'only data inside the repository can be tracked; move or copy it in first',
    });
  }
  if (absolute === root) {
    throw storeError('STORE_PATH_RESERVED', `${path} is the workspace root itself`, {
      data: { path },
      hint: 'track a file or folder inside the workspace',
    });
  }
  const reserved = reservedSegment(toPosixRelative(root, absolute));
  if (reserved !== undefined) {
    throw storeError('STORE_PATH_RESERVED', `${path} is inside ${reserved}/, which cairn and git manage`, {
      data: { path },
    });
  }
  return absolute;
}

/** Where a path about to be written came from; every refusal names it. */
export interface PathSource {
  /** The file the path was read from (a pointer file, the config), relative to the root when inside it. */
  file: string;
  /** JSON pointer of the field holding the path, e.g. `/path`. */
  field: string;
}

/** Folder names no path read from input may pass through, at any depth, in any letter case. */
const RESERVED_NAMES = new Set(['.git', CAIRN_DIR]);
/** NAME_MAX and PATH_MAX of Linux (and less than most other systems allow). */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4095;

const VALID_PATH =
  'a relative path with "/" separators and no empty, "." or ".." segment, backslash or NUL, ' +
  `names of at most ${MAX_NAME_BYTES} bytes, not inside .git/ or .cairn/, not through a symlinked folder`;

/** Why `relPath` is not a plain relative POSIX path (undefined when it is). */
export function relativePathProblem(relPath: string): string | undefined {
  if (relPath === '') return 'is empty';
  if (relPath.includes('\0')) return 'contains a NUL byte';
  if (relPath.includes('\\')) return 'contains a backslash';
  if (relPath.startsWith('/') || /^[A-Za-z]:/.test(relPath)) return 'is absolute';
  if (Buffer.byteLength(relPath) > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  for (const segment of relPath.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES) return `has a name longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

/** The `.git` or `.cairn` folder (any case, any depth) `relPath` passes through or names, if any. */
export function reservedSegment(relPath: string): string | undefined {
  return relPath.split('/').find((segment) => RESERVED_NAMES.has(segment.toLowerCase()));
}

/** A short, printable form of an untrusted path for messages (no NULs or megabyte names echoed). */
function shown(path: string): string {
  const clean = JSON.stringify(path.length > 120 ? `${path.slice(0, 120)}…` : path);
  return clean;
}

function refusal(code: StoreCode, relPath: string, source: PathSource, why: string): Error {
  return storeError(code, `${source.file}: ${source.field} ${shown(relPath)} ${why}; nothing was written`, {
    data: { file: source.file, pointer: source.field, path: relPath.slice(0, 1024) },
    hint: `valid: ${VALID_PATH}`,
  });
}

/**
 * THE gate for every path read from input (a pointer's `path`, a manifest
 * entry, a config value) before anything is written there. Returns the
 * absolute target when `relPath` (relative to `root`, POSIX) is a plain
 * relative path that stays inside the workspace, does not pass through a
 * `.git` or `.cairn` folder at any depth nor through `reserved` folders (an
 * in-workspace cache), and whose existing parent folders are real folders,
 * not symlinks (each is lstat'ed, so a symlink can neither lead out of the
 * workspace nor into `.git`). A missing parent is fine: it is created later
 * as a real folder. Throws a coded error naming `source` otherwise.
 */
export function confinedTarget(
  root: string,
  relPath: string,
  source: PathSource,
  reserved: readonly string[] = [],
): string {
  if (isAbsolute(relPath) || relPath === '..' || relPath.startsWith('../')) {
    throw refusal('STORE_PATH_OUTSIDE_WORKSPACE', relPath, source, 'is outside the workspace');
  }
  const problem = relativePathProblem(relPath);
  if (problem) throw refusal('STORE_PATH_INVALID', relPath, source, problem);
  const folder = reservedSegment(relPath);
  if (folder !== undefined) {
    throw refusal('STORE_PATH_RESERVED', relPath, source, `is inside ${folder}/, which git and cairn manage`);
  }
  const parts = relPath.split('/');
  const target = join(root, ...parts);
  for (const dir of reserved) {
    if (isInside(dir, target) || isInside(target, dir)) {
      throw refusal('STORE_PATH_RESERVED', relPath, source, `would write into the content store ${dir}`);
    }
  }
  let current = root;
  for (let i = 0; i < parts.length - 1; i++) {
    current = join(current, parts[i]!);
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat) break;
    if (stat.isSymbolicLink() || !stat.isDirectory()) {
      const what = stat.isSymbolicLink() ? 'a symlink' : 'not a folder';
      throw refusal(
        'STORE_PATH_UNSAFE_PARENT',
        relPath,
        source,
        `passes through ${parts.slice(0, i + 1).join('/')}, which is ${what}`,
      );
    }
  }
  return target;
}

/**
 * Checks a `.dir` manifest before anything of it is written: every entry a
 * plain relative path inside its folder (no `..`, absolute, empty segment,
 * backslash, NUL or over-long name), none through `.git`/`.cairn`, no path
 * listed twice, no file that is also the folder of another entry.
 */
export function assertManifestSafe(
  entries: readonly ManifestEntry[],
  source: PathSource & { manifest: string },
): void {
  const where = (index: number) => ({
    ...source,
    field: `${source.field} (manifest ${source.manifest}, entry ${index})`,
  });
  const files = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const problem = relativePathProblem(entry.path);
    if (problem) throw refusal('STORE_MANIFEST_INVALID', entry.path, where(index), problem);
    const folder = reservedSegment(entry.path);
    if (folder !== undefined)
      throw refusal(
        'STORE_PATH_RESERVED',
        entry.path,
        where(index),
        `is inside ${folder}/, which git and cairn manage`,
      );
    if (files.has(entry.path))
      throw refusal('STORE_MANIFEST_INVALID', entry.path, where(index), 'is listed twice');
    files.add(entry.path);
  }
  for (const [index, entry] of entries.entries()) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (files.has(prefix)) {
        throw refusal(
          'STORE_MANIFEST_INVALID',
          entry.path,
          where(index),
          `lies under ${shown(prefix)}, which the manifest lists as a file`,
        );
      }
    }
  }
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
      throw storeError('STORE_NOT_TRACKED', `${path} is not tracked by cairn (no ${basename(pointerFile)})`, {
        data: { path },
        hint: 'track it with `cairn add`',
      });
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
