import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

export function cacheServerError(
  code: ErrorCode,
  message: string,
  options: { data?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): CairnError {
  return cairnError(code, message, options);
}
