import { cairnError, readFailure } from '@cairn/errors';

/** Maps a Node file-system error on `path` to a CairnError naming the path. */
export function fileError(error: unknown, path: string): Error {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
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
      return readFailure(error, path);
  }
}
