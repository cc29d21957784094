import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

/** The codes the git package reports (the registry in @cairn/errors holds them all). */
export type GitErrorCode = Extract<ErrorCode, `GIT_${string}`>;

export function gitError(
  code: GitErrorCode,
  message: string,
  data: Record<string, unknown>,
  hint?: string,
  cause?: unknown,
): CairnError {
  return cairnError(code, message, { data, hint, cause });
}
