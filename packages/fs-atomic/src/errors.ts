import { CairnError } from '@cairn/errors';

/** Stable codes of the failures @cairn/fs-atomic reports for a target path a user chose. */
export const FsAtomicErrorCode = {
  /** The target exists and is a folder (e.g. `--html reports/`). */
  targetIsFolder: 'WRITE_TARGET_IS_FOLDER',
  /** A parent of the target exists and is a file, so the folder cannot be created. */
  parentNotFolder: 'WRITE_PARENT_NOT_FOLDER',
  /** The target's folder cannot be created or written (permissions, read-only or virtual file system). */
  targetUnwritable: 'WRITE_TARGET_UNWRITABLE',
} as const;

export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The user-fixable causes of a failed write to `target`, as coded errors; anything else unchanged. */
export function writeError(error: unknown, target: string): unknown {
  if (error instanceof CairnError) return error;
  const code = errnoOf(error);
  if (code === 'EISDIR') {
    return new CairnError(FsAtomicErrorCode.targetIsFolder, `${target} is a folder, not a file`, {
      data: { path: target },
      hint: 'name a file to write, e.g. report.html inside that folder',
      cause: error,
    });
  }
  if (code === 'ENOTDIR') {
    const blocking = (error as NodeJS.ErrnoException).path ?? target;
    return new CairnError(
      FsAtomicErrorCode.parentNotFolder,
      `cannot write ${target}: ${blocking} is a file, not a folder`,
      {
        data: { path: target, file: blocking },
        hint: 'choose a path whose folders are folders',
        cause: error,
      },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT') {
    return new CairnError(FsAtomicErrorCode.targetUnwritable, `cannot write ${target} (${code})`, {
      data: { path: target, reason: code },
      hint: 'choose a path on a writable file system',
      cause: error,
    });
  }
  return error;
}
