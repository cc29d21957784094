import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

export function explainError(
  code: Extract<ErrorCode, `EXPLAIN_${string}`>,
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  return cairnError(code, message, { data, ...(hint ? { hint } : {}) });
}
