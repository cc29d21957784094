import { promises as fs, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { errnoCode, fsError } from './errors';
import { CAIRN_DIR, cairnPath, CairnTree, isObjectId } from './layout';
import { dataPathOf, POINTER_SUFFIX, readPointerSync } from './pointer';

/**
 * Folders the keep walker never enters: git's internals and cairn's own store
 * (at any depth: a nested repository or workspace keeps its own). Everything
 * else is searched, build outputs, node_modules and .nx included, because a
 * pointer anywhere may still be asked for (a trained model's pointer lives in
 * dist/cairn, a cache hit restores it from the Nx cache).
 */
const NEVER_SEARCHED = new Set(['.git', CAIRN_DIR]);

/** One object id something still asks for, and where that was found (a file, or `<ref>:<path>`). */
export interface KeepReference {
  id: string;
  source: string;
  /** For a pointer file in the workspace: the data it tracks. */
  dataPath?: string;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The artifact a training run record names (`dist/cairn/<project>/train/run.json`,
 * a line of `.cairn/runs/<project>.jsonl`), or undefined when the text is not one.
 */
export function runRecordArtifact(text: string): string | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  const hash = (record as { artifact?: { hash?: unknown } } | null)?.artifact?.hash;
  return isObjectId(hash) ? hash : undefined;
}

function isRunRecordFile(file: string): boolean {
  return basename(file) === 'run.json' && basename(dirname(file)) === 'train';
}

/**
 * Every reference found under `dir`: each pointer file (a pointer that does not
 * parse stops the walk with POINTER_INVALID naming it: a merge conflict in a
 * pointer must not free both sides) and each train run record. Symlinks are
 * never followed: what they point to inside the workspace is walked anyway,
 * and what lies outside is not the workspace's.
 */
async function walkReferences(dir: string, found: KeepReference[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
    // A folder gc cannot list may hold pointers: stop rather than guess.
    throw fsError(error, dir, 'search it for pointer files');
  }
  const folders: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!NEVER_SEARCHED.has(entry.name)) folders.push(path);
      continue;
    }
    const isPointerName = entry.name.endsWith(POINTER_SUFFIX) && entry.name !== POINTER_SUFFIX;
    if (isPointerName && entry.isFile()) {
      const pointer = readPointerSync(path);
      found.push({ id: pointer.hash, source: path, dataPath: dataPathOf(path, pointer) });
    } else if (entry.isFile() && isRunRecordFile(path)) {
      const id = runRecordArtifact(readFileSync(path, 'utf8'));
      if (id) found.push({ id, source: path });
    }
  }
  await Promise.all(folders.map((folder) => walkReferences(folder, found)));
}

/** Artifacts named by the local run history, `.cairn/runs/*.jsonl` (a torn last line is skipped). */
async function runHistoryReferences(root: string): Promise<KeepReference[]> {
  const dir = cairnPath(root, CairnTree.runs);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const found: KeepReference[] = [];
  for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(dir, name);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      const id = runRecordArtifact(line);
      if (id) found.push({ id, source: `${file}:${index + 1}` });
    });
  }
  return found;
}

/** `nx.json`'s cacheDirectory (also the legacy tasksRunnerOptions one), if set. */
function nxJsonCacheDirectory(root: string): string | undefined {
  try {
    const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')) as {
      cacheDirectory?: unknown;
      tasksRunnerOptions?: { default?: { options?: { cacheDirectory?: unknown } } };
    };
    const value = nxJson.cacheDirectory ?? nxJson.tasksRunnerOptions?.default?.options?.cacheDirectory;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the installed Nx keeps this workspace's task cache. Recent Nx shares
 * one cache between checkouts under ~/.nx/<id>/cache, decided by rules (git
 * remote, cloud id) only Nx itself knows, so Nx is asked when it is installed
 * in the workspace; a failure there leaves the documented locations.
 */
function installedNxCacheDirectory(root: string): string | undefined {
  try {
    const nxPackage = require.resolve('nx/package.json', { paths: [root] });
    const module = require(join(dirname(nxPackage), 'dist', 'src', 'utils', 'cache-directory.js')) as {
      sharedDataDirectory?: (root: string, kind: 'cache') => string;
      cacheDirectoryForWorkspace?: (root: string) => string;
    };
    return module.sharedDataDirectory?.(root, 'cache') ?? module.cacheDirectoryForWorkspace?.(root);
  } catch {
    return undefined;
  }
}

/**
 * Every folder that may hold Nx task cache entries for this workspace:
 * NX_CACHE_DIRECTORY, nx.json's cacheDirectory, Nx's defaults (.nx/cache,
 * node_modules/.cache/nx for lerna) and the installed Nx's own answer.
 * Entries are folders per task hash holding the cached outputs, so the
 * pointers a cache hit would restore are files inside them.
 */
export function nxCacheDirectories(root: string): string[] {
  const candidates = [
    process.env.NX_CACHE_DIRECTORY || undefined,
    nxJsonCacheDirectory(root),
    join('.nx', 'cache'),
    join('node_modules', '.cache', 'nx'),
    installedNxCacheDirectory(root),
  ];
  return [
    ...new Set(candidates.filter((dir): dir is string => !!dir).map((dir) => resolve(root, dir))),
  ].sort();
}

export interface WorkspaceReferences {
  references: KeepReference[];
  /** Nx cache folders outside the workspace that were searched as well. */
  nxCaches: string[];
}

/**
 * Everything in and around the workspace that still refers to objects: every
 * pointer file in any folder (ignored or not; only .git and .cairn are
 * skipped), every Nx cache entry, and the artifacts of train run records
 * (`dist/cairn/…/train/run.json`, `.cairn/runs/*.jsonl`). This is the one
 * answer to "what must be kept", used by gc and by a push of everything.
 */
export async function workspaceReferences(root: string): Promise<WorkspaceReferences> {
  const references: KeepReference[] = [];
  await walkReferences(root, references);
  const realRoot = realpathSync(root);
  const nxCaches = nxCacheDirectories(root).filter((dir) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return false;
    }
    // Inside the workspace (and not behind a symlink) it was walked already.
    return !(isInside(root, dir) && real === join(realRoot, relative(root, dir)));
  });
  for (const dir of nxCaches) await walkReferences(realpathSync(dir), references);
  references.push(...(await runHistoryReferences(root)));
  return { references, nxCaches };
}
