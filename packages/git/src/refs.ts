import * as fs from 'node:fs';
import { join } from 'node:path';
import { gitContext, headCommit, isoGit, type Repository } from './repository';

/** A ref to scan: its name, the object it points at and what kind of ref it is. */
export interface RefRoot {
  /** `HEAD`, `refs/…`, or `refs/stash@{n}` for a stash entry. */
  name: string;
  /** The commit, tree or tag id the ref points at. */
  oid: string;
  /** Notes refs hold text attached to commits; stash entries also hold the index and untracked files. */
  kind: 'head' | 'ref' | 'notes' | 'stash';
}

/** Commits of every stash entry, newest first (`refs/stash@{0}` …), from the stash reflog. */
function stashEntries(gitdir: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(join(gitdir, 'logs', 'refs', 'stash'), 'utf8');
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
 * Every ref of the repository: HEAD, each ref under `refs/` (branches, remote
 * branches, tags, notes, others) and every stash entry (the whole stash
 * reflog, not only the newest), in that order; a name appears once.
 */
export async function listRefs(repository: Repository): Promise<RefRoot[]> {
  const git = await isoGit();
  const context = gitContext(repository);
  const roots = new Map<string, RefRoot>();
  const head = await headCommit(repository);
  if (head) roots.set('HEAD', { name: 'HEAD', oid: head, kind: 'head' });
  for (const path of await git.listRefs({ ...context, filepath: 'refs' })) {
    const name = `refs/${path}`;
    const oid = await git.resolveRef({ ...context, ref: name }).catch(() => undefined);
    if (!oid) continue;
    const kind = name === 'refs/stash' ? 'stash' : name.startsWith('refs/notes/') ? 'notes' : 'ref';
    roots.set(name, { name, oid, kind });
  }
  stashEntries(repository.gitdir).forEach((oid, index) => {
    const name = `refs/stash@{${index}}`;
    roots.set(name, { name, oid, kind: 'stash' });
  });
  return [...roots.values()];
}

/** A blob met while walking a tree. */
export interface TreeBlob {
  /** Path inside the walked tree, `/`-separated. */
  path: string;
  oid: string;
  /** `<ref>:<path>`: where the blob was found, for messages. */
  source: string;
}

/**
 * Walks the trees of many refs, skipping every tree already walked: history
 * that shares folders costs little. `select` picks the blobs worth visiting;
 * a selected blob is visited once however many trees hold it.
 */
export class TreeWalker {
  private readonly seenTrees = new Set<string>();
  private readonly seenBlobs = new Set<string>();
  private readonly context: ReturnType<typeof gitContext>;

  constructor(repository: Repository) {
    this.context = gitContext(repository);
  }

  /** The text of blob `oid`. */
  async readText(oid: string): Promise<string> {
    return Buffer.from((await (await isoGit()).readBlob({ ...this.context, oid })).blob).toString('utf8');
  }

  /** The parents of commit `oid`, first parent first. */
  async parents(oid: string): Promise<string[]> {
    return (await (await isoGit()).readCommit({ ...this.context, oid })).commit.parent;
  }

  /**
   * Visits the selected blobs under `oid` (a commit, tag or tree) reached as
   * `ref`. `scope` separates walks of the same trees for different purposes
   * (a notes tree read as notes is not a tree of pointers).
   */
  async walk(
    ref: string,
    oid: string,
    select: (path: string) => boolean,
    visit: (blob: TreeBlob) => Promise<void> | void,
    scope = 'tree',
  ): Promise<void> {
    const git = await isoGit();
    const walkTree = async (treeOid: string, prefix: string): Promise<void> => {
      const key = `${scope}:${treeOid}`;
      if (this.seenTrees.has(key)) return;
      this.seenTrees.add(key);
      const { tree } = await git.readTree({ ...this.context, oid: treeOid });
      for (const entry of tree) {
        const path = prefix ? `${prefix}/${entry.path}` : entry.path;
        if (entry.type === 'tree') {
          await walkTree(entry.oid, path);
        } else if (entry.type === 'blob' && select(path) && !this.seenBlobs.has(`${scope}:${entry.oid}`)) {
          this.seenBlobs.add(`${scope}:${entry.oid}`);
          await visit({ path, oid: entry.oid, source: `${ref}:${path}` });
        }
      }
    };
    await walkTree(oid, '');
  }
}
