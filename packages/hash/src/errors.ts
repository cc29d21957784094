import { cairnError } from '@cairn/errors';

/** Maps a Node file-system error on `path` to a CairnError naming the path. */
export function fileError(error: unknown, path: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (error as Error | undefined)?.message ?? String(error);
  switch (code) {
    case 'ENOENT':
      return cairnError('HASH_PATH_NOT_FOUND', `${path}: no such file or directory`, {
        data: { path },
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return cairnError('HASH_PATH_UNREADABLE', `${path}: permission denied`, {
        data: { path },
        hint: 'make the file readable by the current user',
        cause: error,
      });
    case 'EISDIR':
      return cairnError('HASH_PATH_IS_DIRECTORY', `${path}: is a directory`, {
        data: { path },
        hint: 'hash directories with hashDirectory (cairn hash accepts both)',
        cause: error,
      });
    case 'ENXIO': // open() of a socket or a device without a driver
      return cairnError(
        'HASH_SPECIAL_FILE',
        `${path}: is a socket or device; only regular files can be hashed`,
        {
          data: { path },
          cause: error,
        },
      );
    default:
      return cairnError('HASH_READ_FAILED', `${path}: cannot read (${reason})`, {
        data: { path, errno: code ?? null },
        cause: error,
      });
  }
}
