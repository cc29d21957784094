import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

/** The codes the cache server reports (the registry in @cairn/errors holds them all). */
type CacheServerCode = Extract<
  ErrorCode,
  | 'AUTH_REQUIRED'
  | `TOKEN${string}`
  | `S3_${string}`
  | `STORAGE_${string}`
  | `LISTEN_${string}`
  | `TLS_${string}`
>;

export function cacheServerError(
  code: CacheServerCode,
  message: string,
  options: { data?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): CairnError {
  return cairnError(code, message, options);
}
