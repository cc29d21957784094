import * as path from 'node:path';
import { gitContext, isoGit, openRepository } from './repository';

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
