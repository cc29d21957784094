import { CairnError } from '@cairn/errors';

export function cacheServerError(
  code: CacheServerErrorCodeValue,
  message: string,
  options: { data?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): CairnError {
  return new CairnError(code, message, options);
}
