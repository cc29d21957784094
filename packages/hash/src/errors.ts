import { CairnError } from '@cairn/errors';

/** Stable codes of every failure this package reports; tests and callers branch on these. */
export const HashErrorCode = {
  notFound: 'HASH_PATH_NOT_FOUND',
  unreadable: 'HASH_PATH_UNREADABLE',
  isDirectory: 'HASH_PATH_IS_DIRECTORY',
  readFailed: 'HASH_READ_FAILED',
  specialFile: 'HASH_SPECIAL_FILE',
  symlinkOutside: 'HASH_SYMLINK_OUTSIDE_TREE',
  symlinkDangling: 'HASH_SYMLINK_DANGLING',
  symlinkToDirectory: 'HASH_SYMLINK_TO_DIRECTORY',
  pathNotUtf8: 'HASH_PATH_NOT_UTF8',
  notADirectory: 'HASH_NOT_A_DIRECTORY',
  badAlgorithm: 'HASH_BAD_ALGORITHM',
  badManifest: 'HASH_BAD_MANIFEST',
  backendUnavailable: 'HASH_BACKEND_UNAVAILABLE',
  workerFailed: 'HASH_WORKER_FAILED',
} as const;

/** Maps a Node file-system error on `path` to a CairnError naming the path. */
export function fileError(error: unknown, path: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (error as Error | undefined)?.message ?? String(error);
  switch (code) {
    case 'ENOENT':
      return new CairnError(HashErrorCode.notFound, `${path}: no such file or directory`, {
        data: { path },
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new CairnError(HashErrorCode.unreadable, `${path}: permission denied`, {
        data: { path },
        hint: 'make the file readable by the current user',
        cause: error,
      });
    case 'EISDIR':
      return new CairnError(HashErrorCode.isDirectory, `${path}: is a directory`, {
        data: { path },
        hint: 'hash directories with hashDirectory (cairn hash accepts both)',
        cause: error,
      });
    case 'ENXIO': // open() of a socket or a device without a driver
      return new CairnError(
        HashErrorCode.specialFile,
        `${path}: is a socket or device; only regular files can be hashed`,
        {
          data: { path },
          cause: error,
        },
      );
    default:
      return new CairnError(HashErrorCode.readFailed, `${path}: cannot read (${reason})`, {
        data: { path, errno: code ?? null },
        cause: error,
      });
  }
}
