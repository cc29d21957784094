import { basename } from 'node:path';
import type { RefRoot, TreeBlob } from '@cairn/git';
import { storeError } from './errors';
import { runRecordArtifact, type KeepReference } from './keep';
import { POINTER_SUFFIX, parsePointer } from './pointer';

export interface GitPointerScan {
  /** Object ids the refs' pointers (and notes) refer to; sources are `<ref>:<path in the tree>`. */
  references: KeepReference[];
  /** Every ref scanned, stash entries as `refs/stash@{n}`. */
  refs: string[];
  /** Pointer blobs that did not parse (they keep nothing alive). */
  invalid: Array<{ source: string; message: string }>;
}

function gitUnreadable(message: string, data: Record<string, unknown>, cause?: unknown): Error {
  return storeError('GC_GIT_UNREADABLE', message, {
    data,
    hint: 'a shallow or partial clone lacks old trees; fetch them or run gc without --all-refs',
    cause,
  });
}

/**
 * Every pointer file reachable from a git ref, read straight from git's
 * object database with isomorphic-git (no checkout): HEAD, every ref under
 * refs/ (branches, remote branches, tags, notes, others), and every stash
 * entry (the stash reflog, not only the newest) with its index and untracked
 * parts. Notes hold text attached to commits: a note that is a pointer or a
 * train run record counts. Trees already seen are skipped, so history that
 * shares folders costs little.
 */
export async function pointersInGitRefs(root: string): Promise<GitPointerScan> {
  // Loaded here, not with the store: only gc --all-refs reads git, and status or add should not pay for it.
  const { findRepository, listRefs, TreeWalker } = await import('@cairn/git');
  const repository = findRepository(root);
  if (!repository) {
    throw storeError('GC_GIT_UNREADABLE', `${root} is not inside a git repository`, {
      data: { root },
      hint: 'gc --all-refs reads pointers from git branches and tags; run it in a git working tree',
    });
  }
  let roots: RefRoot[];
  try {
    roots = await listRefs(repository);
  } catch (error) {
    throw gitUnreadable(
      `cannot list the refs of the git repository at ${repository.gitdir}: ${(error as Error).message}`,
      { gitdir: repository.gitdir },
      error,
    );
  }

  const walker = new TreeWalker(repository);
  const references: KeepReference[] = [];
  const invalid: GitPointerScan['invalid'] = [];
  const isPointer = (path: string) => path.endsWith(POINTER_SUFFIX) && basename(path) !== POINTER_SUFFIX;
  const keepPointer = async ({ oid, source }: TreeBlob) => {
    try {
      references.push({ id: parsePointer(await walker.readText(oid), source).hash, source });
    } catch (error) {
      invalid.push({ source, message: (error as Error).message });
    }
  };
  const keepNote = async ({ oid, source }: TreeBlob) => {
    const text = await walker.readText(oid);
    let id = runRecordArtifact(text);
    try {
      id ??= parsePointer(text, source).hash;
    } catch {
      // Most notes are plain text, not pointers.
    }
    if (id) references.push({ id, source });
  };

  for (const { name, oid, kind } of roots) {
    try {
      if (kind === 'notes') await walker.walk(name, oid, () => true, keepNote, 'notes');
      else await walker.walk(name, oid, isPointer, keepPointer);
      if (kind === 'stash') {
        // A stash commit's tree is the working tree; its second and third parents hold the index and untracked files.
        for (const [index, parent] of (await walker.parents(oid)).slice(1).entries())
          await walker.walk(`${name}^${index + 2}`, parent, isPointer, keepPointer);
      }
    } catch (error) {
      throw gitUnreadable(
        `cannot read the tree of ${name} (${oid}): ${(error as Error).message}`,
        { ref: name, oid },
        error,
      );
    }
  }
  return { references, refs: roots.map((root) => root.name), invalid };
}
