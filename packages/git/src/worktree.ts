import * as path from 'node:path';
import { gitContext, headCommit, isoGit, openRepository } from './repository';

/**
 * Files under `folders` (relative to the repository root) whose working copy
 * differs from HEAD: modified, added, deleted or untracked (ignored files are
 * not code). Sorted, `/`-separated; what a record hashes as "uncommitted
 * changes". Empty on an unborn branch with nothing in the folders.
 */
export async function worktreeChanges(dir: string, folders: string[]): Promise<string[]> {
  const repository = openRepository(dir, 'uncommitted changes are measured against git');
  const filepaths = folders
    .map((folder) => path.relative(repository.dir, path.resolve(dir, folder)).split(path.sep).join('/'))
    .filter((folder) => !folder.startsWith('..'))
    .map((folder) => (folder === '' ? '.' : folder));
  if (filepaths.length === 0) return [];
  const git = await isoGit();
  const matrix = await git.statusMatrix({ ...gitContext(repository), filepaths });
  return matrix
    .filter(([, head, workdir, stage]) => !(head === 1 && workdir === 1 && stage === 1))
    .map(([file]) => file)
    .sort();
}

/**
 * The id of the tree `folder` has in HEAD's commit (a content hash of the
 * committed folder: unrelated commits leave it alone), or undefined on an
 * unborn branch or when HEAD has no such folder.
 */
export async function committedTreeId(dir: string, folder: string): Promise<string | undefined> {
  const repository = openRepository(dir, 'code identity is read from git');
  const commit = await headCommit(repository);
  if (!commit) return undefined;
  const filepath = path.relative(repository.dir, path.resolve(dir, folder)).split(path.sep).join('/');
  if (filepath.startsWith('..')) return undefined;
  const git = await isoGit();
  try {
    const { oid } = await git.readTree({
      ...gitContext(repository),
      oid: commit,
      ...(filepath ? { filepath } : {}),
    });
    return oid;
  } catch {
    return undefined;
  }
}
