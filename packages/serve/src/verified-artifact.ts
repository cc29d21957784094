import { constants, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cairnError } from '@cairn/errors';
import { hashDirectory } from '@cairn/hash';

/** A private, verified copy of an artifact folder; `dispose` removes it. */
export interface VerifiedArtifact {
  dir: string;
  hash: string;
  dispose(): Promise<void>;
}

async function copyRegularFiles(source: string, target: string, root: string): Promise<void> {
  await fs.mkdir(target, { mode: 0o700 });
  for (const entry of await fs.readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      await copyRegularFiles(from, to, root);
    } else if (entry.isFile()) {
      const { mode } = await fs.lstat(from);
      // A reflink where the file system can (copy-on-write: later edits of the source never reach it).
      await fs.copyFile(from, to, constants.COPYFILE_FICLONE);
      await fs.chmod(to, mode & 0o111 ? 0o555 : 0o444);
    } else {
      throw cairnError(
        'SERVE_ARTIFACT_UNVERIFIED',
        `${join(root, relative(root, from))}: a symlink or special file in the artifact cannot be verified`,
        {
          data: { artifact: root, file: relative(root, from) },
          hint: 'an artifact holds regular files and folders only',
        },
      );
    }
  }
}

/**
 * Copies `artifactDir` into a fresh private folder (mode 0700) and hashes
 * the copy: the bytes a model loads (and a Python worker unpickles) are the
 * ones checked against `expectedHash` — the pointer's or the registry's —
 * and nobody but this user (and root) can change them afterwards. A mismatch
 * removes the copy and fails with SERVE_ARTIFACT_UNVERIFIED before any model
 * code runs.
 */
export async function verifiedArtifactCopy(
  artifactDir: string,
  expectedHash: string,
): Promise<VerifiedArtifact> {
  const scratch = await fs.mkdtemp(join(tmpdir(), 'cairn-verified-'));
  const dir = join(scratch, 'artifact');
  const dispose = () => fs.rm(scratch, { recursive: true, force: true });
  try {
    await copyRegularFiles(artifactDir, dir, artifactDir);
    const { hash } = await hashDirectory(dir);
    if (hash !== expectedHash) {
      throw cairnError(
        'SERVE_ARTIFACT_UNVERIFIED',
        `${artifactDir}: content hash ${hash} differs from the expected ${expectedHash}`,
        {
          data: { artifact: artifactDir, expected: expectedHash, actual: hash },
          hint: 'the artifact was modified after it was stored: restore it from the content store (`cairn checkout`) or retrain',
        },
      );
    }
    return { dir, hash, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
