import { CairnError } from '@cairn/errors';

/** Stable error codes thrown by @cairn/evaluation. */
export const EvaluationErrorCode = {
  InvalidOption: 'EVAL_INVALID_OPTION',
  /** A class has fewer members than the number of folds. */
  ClassTooSmall: 'EVAL_CLASS_TOO_SMALL',
} as const;

export function evaluationError(
  code: string,
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  return new CairnError(code, message, { data, hint });
}
