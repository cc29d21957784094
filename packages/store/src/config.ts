import { existsSync, readFileSync, statSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { storeError } from './errors';
import {
  CAIRN_DIR,
  CAIRN_GITIGNORE_LINES,
  cairnPath,
  CairnTree,
  OBJECTS_FOLDER,
  withIgnoreLines,
} from './layout';
import { schemaProblem } from './schema';

export type LinkStrategy = 'reflink' | 'hardlink' | 'symlink' | 'copy';

export const LINK_STRATEGIES: readonly LinkStrategy[] = ['reflink', 'hardlink', 'symlink', 'copy'];
/**
 * Reflink, else copy: a checked-out file never shares an inode with the
 * store, so editing it (or a tool truncating and rewriting it) cannot change
 * a stored object. Hardlinks and symlinks are an explicit opt-in in
 * `cache.link`, and are never used for root (see placementStrategies).
 */
export const DEFAULT_LINK: readonly LinkStrategy[] = ['reflink', 'copy'];

/** The checkout strategies used when the config sets none. */
export function defaultLink(): LinkStrategy[] {
  return [...DEFAULT_LINK];
}

/** Strategies that share the stored object's inode (or point at it): writing through them changes the store. */
export const SHARING_STRATEGIES: readonly LinkStrategy[] = ['hardlink', 'symlink'];

export interface LinkWarning {
  code: string;
  message: string;
}

/**
 * The strategies actually used for `requested`: for root (whom the read-only
 * bit of a shared object does not stop) hardlink and symlink are dropped and
 * copy is used instead, with a warning, so a committed config that opts into
 * hardlinks still works in a root CI container without risking the store.
 */
export function placementStrategies(
  requested: readonly LinkStrategy[],
  isRoot: boolean = process.getuid?.() === 0,
): { strategies: LinkStrategy[]; warnings: LinkWarning[] } {
  if (!isRoot) return { strategies: [...requested], warnings: [] };
  const dropped = requested.filter((strategy) => SHARING_STRATEGIES.includes(strategy));
  if (dropped.length === 0) return { strategies: [...requested], warnings: [] };
  const strategies = requested.filter((strategy) => !SHARING_STRATEGIES.includes(strategy));
  if (!strategies.includes('copy')) strategies.push('copy');
  return {
    strategies,
    warnings: [
      {
        code: 'CHECKOUT_LINK_UNSAFE_FOR_ROOT',
        message: `${dropped.join(' and ')} not used: running as root, a write to a linked file would change the stored object; copying instead`,
      },
    ],
  };
}

export interface RemoteConfig {
  url: string;
  [option: string]: unknown;
}

export interface CairnConfig {
  version: 1;
  cache: { dir?: string; link: LinkStrategy[] };
  remotes: Record<string, RemoteConfig>;
  defaultRemote?: string;
}

export function configFile(root: string): string {
  return cairnPath(root, CairnTree.config);
}

/** The config in effect when `.cairn/config.json` sets nothing (cache.link resolved for this user). */
export function defaultConfig(): CairnConfig {
  return { version: 1, cache: { link: defaultLink() }, remotes: {} };
}

/**
 * The one rule for the workspace a command runs in: the nearest folder at or
 * above `cwd` holding `.cairn/` (where `cairn init` or `nx g @cairn/nx:init`
 * put the store); failing that, the nearest holding `nx.json` or `.git` (an
 * Nx workspace or a repository where Cairn has not stored anything yet).
 */
export function findWorkspaceRoot(cwd: string): string {
  const start = resolve(cwd);
  let fallback: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    if (isDirectory(join(dir, CAIRN_DIR))) return dir;
    if (!fallback && (existsSync(join(dir, 'nx.json')) || existsSync(join(dir, '.git')))) fallback = dir;
    if (dirname(dir) === dir) break;
  }
  if (fallback) return fallback;
  throw storeError('STORE_NO_WORKSPACE', `no cairn workspace at or above ${start}`, {
    data: { cwd: start },
    hint: 'run `cairn init` at the root of your repository',
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function parseConfig(file: string, text: string): CairnConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw storeError('CONFIG_INVALID', `${file}: not valid JSON (${(error as Error).message})`, {
      data: { file, pointer: '' },
      hint: 'fix the JSON syntax, or delete the file and run `cairn init`',
    });
  }
  const problem = schemaProblem('config', raw);
  if (problem) {
    throw storeError('CONFIG_INVALID', `${file}: ${problem.pointer || '(document)'} ${problem.message}`, {
      data: { file, pointer: problem.pointer },
      hint: 'see packages/store/schemas/config.schema.json for the valid fields',
    });
  }
  const value = raw as Partial<CairnConfig> & { version: 1 };
  const config: CairnConfig = {
    ...value,
    version: 1,
    cache: { ...value.cache, link: value.cache?.link ?? defaultLink() },
    remotes: value.remotes ?? {},
  };
  const cacheDir = config.cache.dir;
  if (cacheDir !== undefined && /(^|[\\/])\.git([\\/]|$)/i.test(cacheDir)) {
    // A committed config must not make cairn write into git's own folder (hooks, config).
    throw storeError('CONFIG_INVALID', `${file}: /cache/dir must not lie inside a .git folder`, {
      data: { file, pointer: '/cache/dir' },
      hint: 'valid: a folder outside .git, e.g. .cairn/cache (the default) or a shared cache folder',
    });
  }
  if (config.defaultRemote !== undefined && !(config.defaultRemote in config.remotes)) {
    throw storeError(
      'CONFIG_INVALID',
      `${file}: /defaultRemote names "${config.defaultRemote}", which is not in /remotes`,
      {
        data: { file, pointer: '/defaultRemote' },
        hint: `valid: ${Object.keys(config.remotes).join(', ') || '(no remotes defined)'}`,
      },
    );
  }
  return config;
}

/** The workspace config; defaults when `.cairn/config.json` does not exist. */
export async function loadConfig(root: string): Promise<CairnConfig> {
  const file = configFile(root);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw error;
  }
  return parseConfig(file, text);
}

export function loadConfigSync(root: string): CairnConfig {
  const file = configFile(root);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw error;
  }
  return parseConfig(file, text);
}

/** Byte-stable: fixed key order, two-space JSON, trailing newline. */
export function serializeConfig(config: CairnConfig): string {
  const ordered: Record<string, unknown> = { version: 1, cache: config.cache, remotes: config.remotes };
  if (config.defaultRemote !== undefined) ordered.defaultRemote = config.defaultRemote;
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

export async function saveConfig(root: string, config: CairnConfig): Promise<void> {
  const file = configFile(root);
  const text = serializeConfig(config);
  parseConfig(file, text); // never write a config we would refuse to read
  await writeFileAtomic(file, text);
}

/** Where a workspace keeps its store, state and scratch files. */
export interface Layout {
  root: string;
  cacheDir: string;
  stateDir: string;
  quarantineDir: string;
  /** Folder locked (as `<lockPath>.lock`) by verbs that mutate the store. */
  lockPath: string;
  statCacheFile: string;
  /** Folder of the tracked folders' snapshots (see folder-snapshot.ts). */
  snapshotDir: string;
  link: LinkStrategy[];
}

export function layoutFor(root: string, config: CairnConfig): Layout {
  const dir = config.cache.dir;
  const cacheDir =
    dir === undefined ? cairnPath(root, CairnTree.cache) : isAbsolute(dir) ? dir : resolve(root, dir);
  return {
    root,
    cacheDir,
    stateDir: cairnPath(root, CairnTree.state),
    quarantineDir: cairnPath(root, CairnTree.quarantine),
    lockPath: join(cacheDir, 'lock'),
    statCacheFile: cairnPath(root, CairnTree.statIndex),
    snapshotDir: cairnPath(root, CairnTree.folderSnapshots),
    link: config.cache.link,
  };
}

export async function loadLayout(root: string): Promise<Layout> {
  return layoutFor(resolve(root), await loadConfig(resolve(root)));
}

/** Writes `.cairn/.gitignore`, or adds the lines an older one lacks (a user's own lines are kept). */
async function ignoreLocalEntries(root: string): Promise<void> {
  const file = cairnPath(root, CairnTree.gitignore);
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  const next = withIgnoreLines(
    current,
    CAIRN_GITIGNORE_LINES,
    'cairn: local store and state, never committed',
  );
  if (next !== undefined) await writeFileAtomic(file, next);
}

/**
 * Creates `.cairn/config.json` (unless present), `.cairn/.gitignore` and the
 * cache folder. Idempotent: an existing valid config is kept as is; an
 * invalid one is reported, never overwritten.
 */
export async function initWorkspace(root: string): Promise<void> {
  const absolute = resolve(root);
  await fs.mkdir(join(absolute, CAIRN_DIR), { recursive: true });
  const file = configFile(absolute);
  let config: CairnConfig;
  if (existsSync(file)) {
    config = await loadConfig(absolute);
  } else {
    // cache.link is left out so the safe default applies (see DEFAULT_LINK).
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, cache: {}, remotes: {} }, null, 2)}\n`);
    config = await loadConfig(absolute);
  }
  await ignoreLocalEntries(absolute);
  const layout = layoutFor(absolute, config);
  await fs.mkdir(join(layout.cacheDir, OBJECTS_FOLDER), { recursive: true });
  await fs.mkdir(layout.stateDir, { recursive: true });
}
