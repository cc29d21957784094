import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

export function evaluationError(
  code: Extract<ErrorCode, `EVAL_${string}`> | 'OPTION_INVALID',
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  return cairnError(code, message, { data, hint });
}
