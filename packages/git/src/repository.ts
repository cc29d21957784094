import * as fs from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type * as IsomorphicGit from 'isomorphic-git';
import { gitError } from './errors';

/** Where a working tree's git data lives. */
export interface Repository {
  /** The working tree's top folder. */
  dir: string;
  /** Where objects and shared refs live (for a linked worktree: the main repository's common dir). */
  gitdir: string;
  /** This working tree's HEAD file (a linked worktree has its own). */
  headFile: string;
}

/**
 * The repository around `start`, or undefined outside one. A `.git` file
 * (linked worktree, submodule) is followed to its git dir, and a linked
 * worktree's `commondir` to the shared objects and refs.
 */
export function findRepository(start: string): Repository | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const stat = fs.statSync(dotGit, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return { dir, gitdir: dotGit, headFile: join(dotGit, 'HEAD') };
    if (stat?.isFile()) {
      const match = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (match) {
        const own = isAbsolute(match[1]!) ? match[1]! : resolve(dir, match[1]!);
        const common = fs.existsSync(join(own, 'commondir'))
          ? resolve(own, fs.readFileSync(join(own, 'commondir'), 'utf8').trim())
          : own;
        return { dir, gitdir: common, headFile: join(own, 'HEAD') };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** findRepository, failing with GIT_NOT_A_REPOSITORY (whose hint says what needed git) outside one. */
export function openRepository(start: string, hint?: string): Repository {
  const repository = findRepository(start);
  if (!repository) {
    throw gitError('GIT_NOT_A_REPOSITORY', `${start}: not inside a git repository`, { dir: start }, hint);
  }
  return repository;
}

let loaded: typeof IsomorphicGit | undefined;
/** isomorphic-git loads on first use: most commands never read git, and it is large. */
export async function isoGit(): Promise<typeof IsomorphicGit> {
  if (!loaded) {
    const module = (await import('isomorphic-git')) as typeof IsomorphicGit & {
      default?: typeof IsomorphicGit;
    };
    loaded = module.default ?? module;
  }
  return loaded;
}

/** The arguments every isomorphic-git call on `repository` takes; `cache` is shared by one batch of reads. */
export function gitContext(repository: Repository, cache: object = {}) {
  return { fs, dir: repository.dir, gitdir: repository.gitdir, cache };
}

/** The commit HEAD of this working tree points at (undefined on an unborn branch). */
export async function headCommit(repository: Repository): Promise<string | undefined> {
  const head = fs.readFileSync(repository.headFile, 'utf8').trim();
  if (!head.startsWith('ref:')) return head;
  const git = await isoGit();
  return git.resolveRef({ ...gitContext(repository), ref: head.slice(4).trim() }).catch(() => undefined);
}
