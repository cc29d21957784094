import { CairnError } from '@cairn/errors';

/** Stable codes of every failure @cairn/cache-server reports; tests and callers branch on these. */
export const CacheServerErrorCode = {
  authRequired: 'AUTH_REQUIRED',
  tokensFileInvalid: 'TOKENS_FILE_INVALID',
  tokensFileEmpty: 'TOKENS_FILE_EMPTY',
  tokensFileUnreadable: 'TOKENS_FILE_UNREADABLE',
  tokenTooShort: 'TOKEN_TOO_SHORT',
  s3BucketUnavailable: 'S3_BUCKET_UNAVAILABLE',
  /** `--storage ""`: would otherwise resolve to the current folder. */
  storagePathEmpty: 'STORAGE_PATH_EMPTY',
  /** The storage path, or one of its parents, exists and is not a folder. */
  storagePathNotFolder: 'STORAGE_PATH_NOT_FOLDER',
  /** The storage folder cannot be created or used (read-only, /proc, permissions…). */
  storagePathUnusable: 'STORAGE_PATH_UNUSABLE',
  listenPortInUse: 'LISTEN_PORT_IN_USE',
  listenAddressUnavailable: 'LISTEN_ADDRESS_UNAVAILABLE',
  listenHostUnknown: 'LISTEN_HOST_UNKNOWN',
  listenPermissionDenied: 'LISTEN_PERMISSION_DENIED',
  tlsFileUnreadable: 'TLS_FILE_UNREADABLE',
  tlsFileInvalid: 'TLS_FILE_INVALID',
  tlsKeyMismatch: 'TLS_KEY_MISMATCH',
} as const;

export type CacheServerErrorCodeValue = (typeof CacheServerErrorCode)[keyof typeof CacheServerErrorCode];

export function cacheServerError(
  code: CacheServerErrorCodeValue,
  message: string,
  options: { data?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): CairnError {
  return new CairnError(code, message, options);
}
