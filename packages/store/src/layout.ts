/**
 * The one description of where Cairn keeps things on disk: object ids and
 * their `b3/<2 hex>/<62 hex>[.dir]` paths (shared by local stores, every
 * remote and the cache server), and every path under a workspace's `.cairn/`
 * folder with the lines that keep the local ones out of git.
 *
 * Published as `@cairn/store/layout`, a light entry (node:path and the error
 * class only) so the cache server can use it without loading the store.
 */
import { join } from 'node:path';
import { storeError } from './errors';

/** Object ids: 64 hex digits (a file's BLAKE3) or 64 hex digits + `.dir` (a directory manifest). */
export const OBJECT_ID = /^[0-9a-f]{64}(\.dir)?$/;

/** Suffix of a directory manifest's id. */
export const DIR_SUFFIX = '.dir';

/** The hint every refusal of an object id carries. */
export const OBJECT_ID_HINT = 'object ids are 64 lowercase hex digits, optionally followed by .dir';

/** The folder under a store root holding the objects, fanned out by the first two hex digits. */
export const OBJECTS_FOLDER = 'b3';

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

export function assertObjectId(id: string): void {
  if (!isObjectId(id)) {
    throw storeError('STORE_BAD_OBJECT_ID', `"${id}" is not an object id`, {
      data: { id },
      hint: OBJECT_ID_HINT,
    });
  }
}

/** True for the id of a directory manifest. */
export function isDirId(id: string): boolean {
  return id.endsWith(DIR_SUFFIX);
}

/** The BLAKE3 digest the object's bytes have: the id without its `.dir` suffix. */
export function digestOf(id: string): string {
  return id.slice(0, 64);
}

/** `b3/<2 hex>/<62 hex>[.dir]`, `/`-separated (also the key under a remote's prefix). Checks the id. */
export function objectRelativePath(id: string): string {
  assertObjectId(id);
  return `${OBJECTS_FOLDER}/${id.slice(0, 2)}/${id.slice(2)}`;
}

/** `<storeDir>/b3/<2 hex>/<62 hex>[.dir]`. Checks the id. */
export function objectPath(storeDir: string, id: string): string {
  assertObjectId(id);
  return join(storeDir, OBJECTS_FOLDER, id.slice(0, 2), id.slice(2));
}

/** Name of the workspace marker folder at the root. */
export const CAIRN_DIR = '.cairn';

/**
 * Everything Cairn keeps under `<root>/.cairn/`, relative to that folder.
 * `config.json` is committed; every other entry is local to one clone.
 */
export const CairnTree = {
  /** The workspace config (committed). */
  config: 'config.json',
  /** The ignore file inside `.cairn/`, holding `ignoredLines`. */
  gitignore: '.gitignore',
  /** The default content store (`cache.dir` in the config may move it). */
  cache: 'cache',
  /** Per-clone state; `state/stat-index` memoizes file hashes by (path, inode, size, mtime). */
  state: 'state',
  statIndex: 'state/stat-index',
  /** `state/folders/<id>`: each tracked folder's lstat rows, so a no-op status or add skips hashing. */
  folderSnapshots: 'state/folders',
  /** Local run history, `runs/<project>.jsonl`. */
  runs: 'runs',
  /** The rebuildable query index of the experiment records kept in git refs (`refs/cairn/exps/…`). */
  experiments: 'exps',
  experimentIndex: 'exps/index.json',
  /** Corrupt objects moved out of the store by `cairn verify --quarantine`. */
  quarantine: 'quarantine',
  /** Private scratch folders (`tmp/<purpose>-…`): on the store's file system, so storing them is a rename. */
  scratch: 'tmp',
} as const;

/** The local (never committed) entries of `.cairn/`. */
const LOCAL_ENTRIES = [
  CairnTree.cache,
  CairnTree.state,
  CairnTree.runs,
  CairnTree.experiments,
  CairnTree.quarantine,
  CairnTree.scratch,
] as const;

/** The lines of `.cairn/.gitignore` (anchored to `.cairn/`). */
export const CAIRN_GITIGNORE_LINES: readonly string[] = LOCAL_ENTRIES.map((entry) => `/${entry}/`);

/** The same entries as lines of the workspace root's `.gitignore`. */
export const ROOT_GITIGNORE_LINES: readonly string[] = LOCAL_ENTRIES.map(
  (entry) => `/${CAIRN_DIR}/${entry}/`,
);

/** Absolute path of `entry` (a `CairnTree` value) under `<root>/.cairn/`. */
export function cairnPath(root: string, entry: (typeof CairnTree)[keyof typeof CairnTree]): string {
  return join(root, CAIRN_DIR, ...entry.split('/'));
}

/** The workspace config relative to the root, `/`-separated: how messages name it. */
export const CONFIG_FILE = `${CAIRN_DIR}/${CairnTree.config}`;

/**
 * `current` (a .gitignore's text, undefined when absent) with the `lines` it
 * lacks appended under a `# header` comment; undefined when none is missing.
 * A user's own lines are kept as they are.
 */
export function withIgnoreLines(
  current: string | undefined,
  lines: readonly string[],
  header: string,
): string | undefined {
  const present = new Set((current ?? '').split(/\r?\n/).map((line) => line.trim()));
  const missing = lines.filter((line) => !present.has(line));
  if (missing.length === 0) return undefined;
  const prefix = !current || current.endsWith('\n') ? (current ?? '') : `${current}\n`;
  return `${prefix}${prefix ? '\n' : ''}# ${header}\n${missing.join('\n')}\n`;
}
