import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { gitError } from './errors';
import { gitContext, isoGit, openRepository } from './repository';

/** A tree entry name git itself would refuse to check out: it could climb out of the target or into git data. */
function unsafeName(name: string): boolean {
  return (
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.toLowerCase() === '.git'
  );
}

/**
 * Writes the files of commit `commit` into the empty folder `target`: a plain
 * checkout, for when a clean copy of old code is needed without touching the
 * working tree (isomorphic-git has no `git worktree`). Executable bits are
 * kept; symlinks and submodules are skipped and returned, so the caller can
 * say what the copy lacks. Entry names are checked, since a crafted tree may
 * hold `..` or `.git`.
 */
export async function checkoutCommitInto(
  repoDir: string,
  commit: string,
  target: string,
): Promise<{ files: number; skipped: string[] }> {
  const repository = openRepository(repoDir, 'reproduction needs the git history the run was recorded in');
  const git = await isoGit();
  const context = gitContext(repository);
  const unsafe = (where: string) =>
    gitError(
      'GIT_TREE_UNSAFE',
      `${commit.slice(0, 12)}:${where}: a tree entry git would never check out`,
      { commit, path: where },
      'the commit was crafted or the repository is corrupt; reproduce another run',
    );
  let files = 0;
  const skipped: string[] = [];
  const writeTree = async (treeOid: string, prefix: string, dir: string): Promise<void> => {
    let tree: Awaited<ReturnType<typeof git.readTree>>['tree'];
    try {
      ({ tree } = await git.readTree({ ...context, oid: treeOid }));
    } catch (error) {
      // isomorphic-git refuses `..` and the like itself, before we see the entry.
      if ((error as { code?: string }).code !== 'UnsafeFilepathError') throw error;
      const name = (error as { data?: { filepath?: string } }).data?.filepath ?? '(an entry)';
      throw unsafe(prefix ? `${prefix}/${name}` : name);
    }
    for (const entry of tree) {
      const where = prefix ? `${prefix}/${entry.path}` : entry.path;
      if (unsafeName(entry.path)) throw unsafe(where);
      const destination = path.join(dir, entry.path);
      if (entry.type === 'tree') {
        await fs.mkdir(destination);
        await writeTree(entry.oid, where, destination);
      } else if (entry.type === 'blob' && entry.mode !== '120000') {
        const { blob } = await git.readBlob({ ...context, oid: entry.oid });
        await fs.writeFile(destination, blob, { mode: entry.mode === '100755' ? 0o755 : 0o644, flag: 'wx' });
        files++;
      } else {
        skipped.push(where);
      }
    }
  };
  const { commit: parsed } = await git.readCommit({ ...context, oid: commit });
  await writeTree(parsed.tree, '', target);
  return { files, skipped };
}
