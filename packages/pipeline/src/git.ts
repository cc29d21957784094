import * as fs from 'node:fs';
import git from 'isomorphic-git';

/** The commit the workspace is at, or undefined outside a git repository. */
export async function gitHead(dir: string): Promise<{ commit: string } | undefined> {
  try {
    const root = await git.findRoot({ fs, filepath: dir });
    return { commit: await git.resolveRef({ fs, dir: root, ref: 'HEAD' }) };
  } catch {
    return undefined;
  }
}
