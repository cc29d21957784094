import * as path from 'node:path';
import { gitError } from './errors';
import {
  findRepository,
  gitContext,
  headCommit,
  isoGit,
  openRepository,
  type Repository,
} from './repository';

function refNotFound(ref: string, dir: string, cause?: unknown): Error {
  return gitError(
    'GIT_REF_NOT_FOUND',
    `${ref}: no such branch, tag or commit in ${dir}${cause instanceof Error ? ` (${cause.message})` : ''}`,
    { ref, dir },
    'check the name, and in CI fetch the history (actions/checkout with fetch-depth: 0) so the base commit exists locally',
  );
}

/** Peels annotated tags down to the commit they point at. */
async function peelToCommit(repository: Repository, oid: string, ref: string): Promise<string> {
  const git = await isoGit();
  for (let depth = 0; depth < 10; depth++) {
    let object;
    try {
      object = await git.readObject({ ...gitContext(repository), oid, format: 'parsed' });
    } catch (cause) {
      throw refNotFound(ref, repository.dir, cause);
    }
    if (object.type === 'commit') return oid;
    if (object.type === 'tag') {
      oid = (object.object as { object: string }).object;
      continue;
    }
    throw refNotFound(ref, repository.dir, new Error(`points at a ${object.type}, not a commit`));
  }
  throw refNotFound(ref, repository.dir, new Error('tag chain too long'));
}

async function resolveName(repository: Repository, name: string, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/i.test(name)) return name.toLowerCase();
  const git = await isoGit();
  try {
    // HEAD is per working tree: a linked worktree's is not the one in the shared git dir.
    if (name === 'HEAD') {
      const head = await headCommit(repository);
      if (head) return head;
    }
    return await git.resolveRef({ ...gitContext(repository), ref: name });
  } catch (refError) {
    if (/^[0-9a-f]{4,39}$/i.test(name)) {
      try {
        return await git.expandOid({ ...gitContext(repository), oid: name.toLowerCase() });
      } catch (cause) {
        throw refNotFound(ref, repository.dir, cause);
      }
    }
    throw refNotFound(ref, repository.dir, refError);
  }
}

function open(repoDir: string): Repository {
  return openRepository(repoDir, 'run the command inside a git working tree');
}

async function resolveIn(repository: Repository, ref: string): Promise<string> {
  const match = /^(.*?)((?:~\d*|\^)*)$/.exec(ref.trim())!;
  const base = match[1]!;
  if (base === '') throw refNotFound(ref, repository.dir);
  let oid = await peelToCommit(repository, await resolveName(repository, base, ref), ref);
  const git = await isoGit();
  for (const step of match[2]!.match(/~\d*|\^/g) ?? []) {
    const count = step === '^' || step === '~' ? 1 : Number(step.slice(1));
    for (let i = 0; i < count; i++) {
      const { commit } = await git.readCommit({ ...gitContext(repository), oid });
      const parent = commit.parent[0];
      if (!parent) throw refNotFound(ref, repository.dir, new Error(`${oid.slice(0, 7)} has no parent`));
      oid = parent;
    }
  }
  return oid;
}

/**
 * Resolves a branch (local or remote-tracking), tag, full or short SHA, or
 * HEAD, optionally followed by `~N` / `^` suffixes (first parents), to a
 * commit oid.
 */
export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  return resolveIn(open(repoDir), ref);
}

/**
 * The content of `filePath` (relative to `repoDir`) as committed at `ref`,
 * read from git objects (no checkout, the working tree is untouched).
 * Undefined when the file does not exist at that ref; GIT_REF_NOT_FOUND when
 * the ref itself does not exist.
 */
export async function readFileAtRef(
  repoDir: string,
  ref: string,
  filePath: string,
): Promise<string | undefined> {
  const repository = open(repoDir);
  const oid = await resolveIn(repository, ref);
  const filepath = path.relative(repository.dir, path.resolve(repoDir, filePath)).split(path.sep).join('/');
  if (filepath.startsWith('..') || filepath === '') {
    throw gitError(
      'GIT_PATH_OUTSIDE_REPOSITORY',
      `${filePath}: outside the repository ${repository.dir}`,
      { file: filePath, dir: repository.dir },
      'name a file inside the repository',
    );
  }
  try {
    const { blob } = await (await isoGit()).readBlob({ ...gitContext(repository), oid, filepath });
    return Buffer.from(blob).toString('utf8');
  } catch (error) {
    // absent, or a directory rather than a file
    const code = (error as { code?: string }).code;
    if (code === 'NotFoundError' || code === 'ObjectTypeError') return undefined;
    throw error;
  }
}

/** The best common ancestor of two refs ("the metrics at the base commit" of a pull request). */
export async function mergeBase(repoDir: string, refA: string, refB: string): Promise<string> {
  const repository = open(repoDir);
  const a = await resolveIn(repository, refA);
  const b = await resolveIn(repository, refB);
  const bases = (await (
    await isoGit()
  ).findMergeBase({ ...gitContext(repository), oids: [a, b] })) as string[];
  const first = bases[0];
  if (!first) {
    throw gitError('GIT_NO_MERGE_BASE', `${refA} and ${refB} have no common ancestor`, {
      refs: [refA, refB],
    });
  }
  return first;
}

/** The commit the working tree at `dir` is at, or undefined outside a git repository (or on an unborn branch). */
export async function gitHead(dir: string): Promise<{ commit: string } | undefined> {
  const repository = findRepository(dir);
  const commit = repository && (await headCommit(repository).catch(() => undefined));
  return commit ? { commit } : undefined;
}
