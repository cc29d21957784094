import { CairnError } from '@cairn/errors';

/** Stable codes of every failure this package reports; tests and callers branch on these. */
export const GitErrorCode = {
  /** The folder is not inside a git working tree. */
  notARepository: 'GIT_NOT_A_REPOSITORY',
  /** A branch, tag or commit that does not exist (or is not fetched: shallow clone). */
  refNotFound: 'GIT_REF_NOT_FOUND',
  noMergeBase: 'GIT_NO_MERGE_BASE',
  /** A file asked for at a ref lies outside the repository. */
  pathOutsideRepository: 'GIT_PATH_OUTSIDE_REPOSITORY',
} as const;

export type GitErrorCode = (typeof GitErrorCode)[keyof typeof GitErrorCode];

export function gitError(
  code: GitErrorCode,
  message: string,
  data: Record<string, unknown>,
  hint?: string,
  cause?: unknown,
): CairnError {
  return new CairnError(code, message, { data, hint, cause });
}
