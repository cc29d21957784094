import * as fs from 'node:fs';

/** The commit the workspace is at, or undefined outside a git repository. */
export async function gitHead(dir: string): Promise<{ commit: string } | undefined> {
  // isomorphic-git is loaded on use: most commands never read git.
  const { default: git } = await import('isomorphic-git');
  try {
    const root = await git.findRoot({ fs, filepath: dir });
    return { commit: await git.resolveRef({ fs, dir: root, ref: 'HEAD' }) };
  } catch {
    return undefined;
  }
}
