import * as fsSync from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreErrorCode, storeError } from './errors';
import { POINTER_SUFFIX, parsePointer, type Pointer } from './pointer';

export interface GitPointer {
  /** `<ref>:<path in the tree>` */
  source: string;
  pointer: Pointer;
}

export interface GitPointerScan {
  pointers: GitPointer[];
  refs: string[];
  /** Pointer blobs that did not parse (they keep nothing alive). */
  invalid: Array<{ source: string; message: string }>;
}

function findGitDir(root: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    if (fsSync.existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw storeError(StoreErrorCode.gitUnreadable, `${root} is not inside a git repository`, {
    data: { root },
    hint: 'gc --all-refs reads pointers from git branches and tags; run it in a git working tree',
  });
}

/**
 * Every pointer file committed on any local branch, remote-tracking branch,
 * tag or HEAD, read straight from git's object database with isomorphic-git
 * (no checkout). Trees already seen are skipped, so history that shares
 * folders costs little.
 */
export async function pointersInGitRefs(root: string): Promise<GitPointerScan> {
  const dir = findGitDir(root);
  // Loaded on demand: it is large, and only gc --all-refs needs it (keeps `cairn status` startup small).
  const git = require('isomorphic-git') as typeof import('isomorphic-git');
  const cache = {};
  const ctx = { fs: fsSync, dir, cache };
  const refs = new Map<string, string>();
  try {
    const add = async (ref: string) => {
      const oid = await git.resolveRef({ fs: fsSync, dir, ref }).catch(() => undefined);
      if (oid) refs.set(ref, oid);
    };
    await add('HEAD');
    for (const branch of await git.listBranches({ fs: fsSync, dir })) await add(`refs/heads/${branch}`);
    for (const { remote } of await git.listRemotes({ fs: fsSync, dir })) {
      for (const branch of await git.listBranches({ fs: fsSync, dir, remote })) {
        if (branch !== 'HEAD') await add(`refs/remotes/${remote}/${branch}`);
      }
    }
    for (const tag of await git.listTags({ fs: fsSync, dir })) await add(`refs/tags/${tag}`);
  } catch (error) {
    throw storeError(
      StoreErrorCode.gitUnreadable,
      `cannot list the refs of the git repository at ${dir}: ${(error as Error).message}`,
      {
        data: { dir },
        cause: error,
      },
    );
  }

  const seenTrees = new Set<string>();
  const seenBlobs = new Set<string>();
  const pointers: GitPointer[] = [];
  const invalid: GitPointerScan['invalid'] = [];
  const walkTree = async (ref: string, oid: string, prefix: string): Promise<void> => {
    if (seenTrees.has(oid)) return;
    seenTrees.add(oid);
    const { tree } = await git.readTree({ ...ctx, oid });
    for (const entry of tree) {
      const path = prefix ? `${prefix}/${entry.path}` : entry.path;
      if (entry.type === 'tree') {
        await walkTree(ref, entry.oid, path);
      } else if (
        entry.type === 'blob' &&
        entry.path.endsWith(POINTER_SUFFIX) &&
        entry.path !== POINTER_SUFFIX &&
        !seenBlobs.has(entry.oid)
      ) {
        seenBlobs.add(entry.oid);
        const source = `${ref}:${path}`;
        const { blob } = await git.readBlob({ ...ctx, oid: entry.oid });
        try {
          pointers.push({ source, pointer: parsePointer(Buffer.from(blob).toString('utf8'), source) });
        } catch (error) {
          invalid.push({ source, message: (error as Error).message });
        }
      }
    }
  };
  for (const [ref, oid] of refs) {
    try {
      await walkTree(ref, oid, '');
    } catch (error) {
      throw storeError(
        StoreErrorCode.gitUnreadable,
        `cannot read the tree of ${ref} (${oid}): ${(error as Error).message}`,
        {
          data: { ref, oid },
          hint: 'a shallow or partial clone lacks old trees; fetch them or run gc without --all-refs',
          cause: error,
        },
      );
    }
  }
  return { pointers, refs: [...refs.keys()], invalid };
}
