import * as fsSync from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

interface GitLocation {
  /** The working tree's top folder. */
  dir: string;
  /** Where objects and shared refs live (a linked worktree's common dir). */
  gitdir: string;
  /** This working tree's HEAD file (per worktree). */
  headFile: string;
}

function gitUnreadable(message: string, data: Record<string, unknown>, cause?: unknown): Error {
  return storeError('GC_GIT_UNREADABLE', message, {
    data,
    hint: 'a shallow or partial clone lacks old trees; fetch them or run gc without --all-refs',
    cause,
  });
}

/** The repository around `root`; a `.git` file (linked worktree, submodule) is followed to its git dir. */
function locateGit(root: string): GitLocation {
  for (let dir = root; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const stat = fsSync.statSync(dotGit, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return { dir, gitdir: dotGit, headFile: join(dotGit, 'HEAD') };
    if (stat?.isFile()) {
      const match = /^gitdir:\s*(.+?)\s*$/m.exec(fsSync.readFileSync(dotGit, 'utf8'));
      if (match) {
        const own = isAbsolute(match[1]!) ? match[1]! : resolve(dir, match[1]!);
        const common = fsSync.existsSync(join(own, 'commondir'))
          ? resolve(own, fsSync.readFileSync(join(own, 'commondir'), 'utf8').trim())
          : own;
        return { dir, gitdir: common, headFile: join(own, 'HEAD') };
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw storeError('GC_GIT_UNREADABLE', `${root} is not inside a git repository`, {
    data: { root },
    hint: 'gc --all-refs reads pointers from git branches and tags; run it in a git working tree',
  });
}

/** Commits of every stash entry, newest first (`refs/stash@{0}` …), from the stash reflog. */
function stashEntries(gitdir: string): string[] {
  let text: string;
  try {
    text = fsSync.readFileSync(join(gitdir, 'logs', 'refs', 'stash'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((oid): oid is string => !!oid && /^[0-9a-f]{40,64}$/.test(oid))
    .reverse();
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
  const { gitdir, headFile } = locateGit(root);
  // Loaded on demand: it is large, and only gc --all-refs needs it (keeps `cairn status` startup small).
  const git = require('isomorphic-git') as typeof import('isomorphic-git');
  const ctx = { fs: fsSync, gitdir, cache: {} };
  /** Scan roots: name → commit, tree or tag id; stash commits also scan their index/untracked parents. */
  const roots = new Map<string, { oid: string; stash: boolean; notes: boolean }>();
  try {
    const resolveRef = (ref: string) => git.resolveRef({ ...ctx, ref }).catch(() => undefined);
    const head = fsSync.readFileSync(headFile, 'utf8').trim();
    const headOid = head.startsWith('ref:') ? await resolveRef(head.slice(4).trim()) : head;
    if (headOid) roots.set('HEAD', { oid: headOid, stash: false, notes: false });
    for (const name of await git.listRefs({ ...ctx, filepath: 'refs' })) {
      const ref = `refs/${name}`;
      const oid = await resolveRef(ref);
      if (oid) roots.set(ref, { oid, stash: ref === 'refs/stash', notes: ref.startsWith('refs/notes/') });
    }
    stashEntries(gitdir).forEach((oid, index) =>
      roots.set(`refs/stash@{${index}}`, { oid, stash: true, notes: false }),
    );
  } catch (error) {
    throw gitUnreadable(
      `cannot list the refs of the git repository at ${gitdir}: ${(error as Error).message}`,
      { gitdir },
      error,
    );
  }

  const seenTrees = new Set<string>();
  const seenBlobs = new Set<string>();
  const references: KeepReference[] = [];
  const invalid: GitPointerScan['invalid'] = [];
  const readBlobText = async (oid: string) =>
    Buffer.from((await git.readBlob({ ...ctx, oid })).blob).toString('utf8');

  const walkTree = async (ref: string, oid: string, prefix: string, notes: boolean): Promise<void> => {
    const key = `${notes ? 'notes' : 'tree'}:${oid}`;
    if (seenTrees.has(key)) return;
    seenTrees.add(key);
    const { tree } = await git.readTree({ ...ctx, oid });
    for (const entry of tree) {
      const path = prefix ? `${prefix}/${entry.path}` : entry.path;
      const source = `${ref}:${path}`;
      if (entry.type === 'tree') {
        await walkTree(ref, entry.oid, path, notes);
      } else if (entry.type !== 'blob' || seenBlobs.has(entry.oid)) {
        continue;
      } else if (notes) {
        seenBlobs.add(entry.oid);
        const text = await readBlobText(entry.oid);
        let id = runRecordArtifact(text);
        try {
          id ??= parsePointer(text, source).hash;
        } catch {
          // Most notes are plain text, not pointers.
        }
        if (id) references.push({ id, source });
      } else if (entry.path.endsWith(POINTER_SUFFIX) && entry.path !== POINTER_SUFFIX) {
        seenBlobs.add(entry.oid);
        try {
          references.push({ id: parsePointer(await readBlobText(entry.oid), source).hash, source });
        } catch (error) {
          invalid.push({ source, message: (error as Error).message });
        }
      }
    }
  };

  for (const [ref, { oid, stash, notes }] of roots) {
    try {
      await walkTree(ref, oid, '', notes);
      if (stash) {
        // A stash commit's tree is the working tree; its second and third parents hold the index and untracked files.
        const { commit } = await git.readCommit({ ...ctx, oid });
        for (const [index, parent] of commit.parent.slice(1).entries())
          await walkTree(`${ref}^${index + 2}`, parent, '', false);
      }
    } catch (error) {
      throw gitUnreadable(
        `cannot read the tree of ${ref} (${oid}): ${(error as Error).message}`,
        { ref, oid },
        error,
      );
    }
  }
  return { references, refs: [...roots.keys()], invalid };
}
