import { CairnError, cairnError } from '@cairn/errors';

export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The user-fixable causes of a failed write to `target`, as coded errors; anything else unchanged. */
export function writeError(error: unknown, target: string): unknown {
  if (error instanceof CairnError) return error;
  const code = errnoOf(error);
  if (code === 'EISDIR') {
    return cairnError('WRITE_TARGET_IS_FOLDER', `${target} is a folder, not a file`, {
      data: { path: target },
      hint: 'name a file to write, e.g. report.html inside that folder',
      cause: error,
    });
  }
  if (code === 'ENOTDIR') {
    const blocking = (error as NodeJS.ErrnoException).path ?? target;
    return cairnError(
      'WRITE_PARENT_NOT_FOLDER',
      `cannot write ${target}: ${blocking} is a file, not a folder`,
      {
        data: { path: target, file: blocking },
        hint: 'choose a path whose folders are folders',
        cause: error,
      },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT') {
    return cairnError('WRITE_TARGET_UNWRITABLE', `cannot write ${target} (${code})`, {
      data: { path: target, reason: code },
      hint: 'choose a path on a writable file system',
      cause: error,
    });
  }
  return error;
}
