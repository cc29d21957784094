import { promises as fs } from 'node:fs';
import { cairnError, readFailure } from '@cairn/errors';
import { hashDirectory, hashFile, hashFiles, type HashAlgorithm } from '@cairn/hash';

interface HashedPath {
  path: string;
  type: 'file' | 'directory';
  hash: string;
  size: number;
  nfiles?: number;
}

/**
 * b3sum / md5sum line format: `<hash>  <path>`; a path holding a backslash or
 * newline is escaped and the line starts with a backslash, so
 * `b3sum --check` (and `md5sum --check` for --md5) reads it back.
 */
export function checksumLine(hash: string, path: string): string {
  if (!/[\\\n]/.test(path)) return `${hash}  ${path}`;
  return `\\${hash}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`;
}

async function kindOf(path: string): Promise<'file' | 'directory'> {
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) return 'directory';
    if (stat.isFile()) return 'file';
  } catch (error) {
    throw readFailure(error, path);
  }
  throw cairnError('HASH_SPECIAL_FILE', `${path}: not a regular file or directory (socket, FIFO or device)`, {
    data: { path },
    hint: 'only regular files and directories can be hashed',
  });
}

export async function hashPaths(
  paths: string[],
  options: { algorithm: HashAlgorithm; onProgress?: (done: number, total: number) => void },
): Promise<HashedPath[]> {
  const kinds = await Promise.all(paths.map(kindOf));
  const results: HashedPath[] = new Array(paths.length);
  const fileIndexes = paths.flatMap((_, index) => (kinds[index] === 'file' ? [index] : []));
  if (fileIndexes.length === 1) {
    // One (possibly huge) file: stream it here; starting workers would only add latency.
    const index = fileIndexes[0]!;
    results[index] = {
      path: paths[index]!,
      type: 'file',
      ...(await hashFile(paths[index]!, { algorithm: options.algorithm })),
    };
  } else if (fileIndexes.length > 1) {
    const hashed = await hashFiles(
      fileIndexes.map((index) => paths[index]!),
      { algorithm: options.algorithm },
    );
    fileIndexes.forEach((index, position) => {
      results[index] = { path: paths[index]!, type: 'file', ...hashed[position]! };
    });
  }
  for (const [index, path] of paths.entries()) {
    if (kinds[index] !== 'directory') continue;
    const directory = await hashDirectory(path, {
      algorithm: options.algorithm,
      onProgress: options.onProgress,
    });
    results[index] = {
      path,
      type: 'directory',
      hash: directory.hash,
      size: directory.size,
      nfiles: directory.nfiles,
    };
  }
  return results;
}
