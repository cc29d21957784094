import { CairnError } from '@cairn/errors';

/** Stable codes of every failure this package reports; tests and callers branch on these. */
export const StoreErrorCode = {
  noWorkspace: 'STORE_NO_WORKSPACE',
  configInvalid: 'CONFIG_INVALID',
  pointerInvalid: 'POINTER_INVALID',
  pointerNotFound: 'POINTER_NOT_FOUND',
  pathNotFound: 'STORE_PATH_NOT_FOUND',
  pathOutsideWorkspace: 'STORE_PATH_OUTSIDE_WORKSPACE',
  pathReserved: 'STORE_PATH_RESERVED',
  pathUnsupported: 'STORE_PATH_UNSUPPORTED',
  pathUnreadable: 'STORE_PATH_UNREADABLE',
  /** A path from a pointer, manifest or config that is not a plain relative path (`..`, `//`, `\\`, NUL, too long). */
  pathInvalid: 'STORE_PATH_INVALID',
  /** A target whose parent folder (at some depth) is a symlink, or is a file. */
  pathUnsafeParent: 'STORE_PATH_UNSAFE_PARENT',
  /** A `.dir` manifest with duplicate paths, a file that is also a folder, or an unsafe entry path. */
  manifestInvalid: 'STORE_MANIFEST_INVALID',
  notTracked: 'STORE_NOT_TRACKED',
  sourceChanged: 'STORE_SOURCE_CHANGED',
  objectMissing: 'STORE_OBJECT_MISSING',
  objectCorrupt: 'STORE_OBJECT_CORRUPT',
  badObjectId: 'STORE_BAD_OBJECT_ID',
  wouldOverwrite: 'CHECKOUT_WOULD_OVERWRITE',
  linkFailed: 'CHECKOUT_LINK_FAILED',
  gitUnreadable: 'GC_GIT_UNREADABLE',
  manifestUnreadable: 'GC_MANIFEST_UNREADABLE',
} as const;

export type StoreErrorCodeValue = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export function storeError(
  code: StoreErrorCodeValue,
  message: string,
  options: { data?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): CairnError {
  return new CairnError(code, message, options);
}

/** Maps a Node file-system error on `path` to a CairnError naming the path. */
export function fsError(error: unknown, path: string, action: string): Error {
  if (error instanceof CairnError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return storeError(StoreErrorCode.pathNotFound, `${path}: no such file or directory`, {
      data: { path },
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return storeError(StoreErrorCode.pathUnreadable, `${path}: permission denied while trying to ${action}`, {
      data: { path },
      hint: 'check the file permissions',
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
