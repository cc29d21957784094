import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as IsomorphicGit from 'isomorphic-git';
import { evaluationError } from './errors';

let loaded: typeof IsomorphicGit | undefined;
/** isomorphic-git loads on first use: splitting data (this package's hot path) never needs it. */
async function isoGit(): Promise<typeof IsomorphicGit> {
  const module = (await import('isomorphic-git')) as typeof IsomorphicGit & {
    default?: typeof IsomorphicGit;
  };
  loaded ??= module.default ?? module;
  return loaded;
}

async function repoRoot(repoDir: string): Promise<string> {
  try {
    return await (await isoGit()).findRoot({ fs, filepath: path.resolve(repoDir) });
  } catch {
    throw evaluationError('EVAL_NOT_A_GIT_REPO', `${repoDir}: not inside a git repository`, {
      dir: repoDir,
    });
  }
}

function refNotFound(ref: string, dir: string, cause?: unknown): Error {
  const error = evaluationError(
    'EVAL_REF_NOT_FOUND',
    `${ref}: no such branch, tag or commit in ${dir}${cause instanceof Error ? ` (${cause.message})` : ''}`,
    { ref, dir },
    'check the name, and in CI fetch the history (actions/checkout with fetch-depth: 0) so the base commit exists locally',
  );
  return error;
}

/** Peels annotated tags down to the commit they point at. */
async function peelToCommit(dir: string, oid: string, ref: string): Promise<string> {
  for (let depth = 0; depth < 10; depth++) {
    let object;
    try {
      object = await (await isoGit()).readObject({ fs, dir, oid, format: 'parsed' });
    } catch (cause) {
      throw refNotFound(ref, dir, cause);
    }
    if (object.type === 'commit') return oid;
    if (object.type === 'tag') {
      oid = (object.object as { object: string }).object;
      continue;
    }
    throw refNotFound(ref, dir, new Error(`points at a ${object.type}, not a commit`));
  }
  throw refNotFound(ref, dir, new Error('tag chain too long'));
}

async function resolveName(dir: string, name: string, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/i.test(name)) return name.toLowerCase();
  try {
    return await (await isoGit()).resolveRef({ fs, dir, ref: name });
  } catch (refError) {
    if (/^[0-9a-f]{4,39}$/i.test(name)) {
      try {
        return await (await isoGit()).expandOid({ fs, dir, oid: name.toLowerCase() });
      } catch (cause) {
        throw refNotFound(ref, dir, cause);
      }
    }
    throw refNotFound(ref, dir, refError);
  }
}

/**
 * Resolves a branch (local or remote-tracking), tag, full or short SHA, or
 * HEAD, optionally followed by `~N` / `^` suffixes (first parents), to a
 * commit oid.
 */
export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  const dir = await repoRoot(repoDir);
  const match = /^(.*?)((?:~\d*|\^)*)$/.exec(ref.trim())!;
  const base = match[1]!;
  if (base === '') throw refNotFound(ref, dir);
  let oid = await peelToCommit(dir, await resolveName(dir, base, ref), ref);
  for (const step of match[2]!.match(/~\d*|\^/g) ?? []) {
    const count = step === '^' ? 1 : step === '~' ? 1 : Number(step.slice(1));
    for (let i = 0; i < count; i++) {
      const { commit } = await (await isoGit()).readCommit({ fs, dir, oid });
      const parent = commit.parent[0];
      if (!parent) throw refNotFound(ref, dir, new Error(`${oid.slice(0, 7)} has no parent`));
      oid = parent;
    }
  }
  return oid;
}

/**
 * The content of `filePath` (relative to `repoDir`) as committed at `ref`,
 * read from git objects with isomorphic-git (no checkout, the working tree is
 * untouched). Undefined when the file does not exist at that ref; a
 * CairnError (EVAL_REF_NOT_FOUND) when the ref itself does not exist.
 */
export async function readFileAtRef(
  repoDir: string,
  ref: string,
  filePath: string,
): Promise<string | undefined> {
  const dir = await repoRoot(repoDir);
  const oid = await resolveCommit(dir, ref);
  const absolute = path.resolve(repoDir, filePath);
  const filepath = path.relative(dir, absolute).split(path.sep).join('/');
  if (filepath.startsWith('..') || filepath === '') {
    throw evaluationError('EVAL_PATH_OUTSIDE_REPO', `${filePath}: outside the repository ${dir}`, {
      file: filePath,
      dir,
    });
  }
  try {
    const { blob } = await (await isoGit()).readBlob({ fs, dir, oid, filepath });
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
  const dir = await repoRoot(repoDir);
  const a = await resolveCommit(dir, refA);
  const b = await resolveCommit(dir, refB);
  const bases = (await (await isoGit()).findMergeBase({ fs, dir, oids: [a, b] })) as string[];
  const first = bases[0];
  if (!first) {
    throw evaluationError('EVAL_NO_MERGE_BASE', `${refA} and ${refB} have no common ancestor`, {
      refs: [refA, refB],
    });
  }
  return first;
}
