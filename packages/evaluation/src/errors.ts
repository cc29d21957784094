import { CairnError } from '@cairn/errors';

export function evaluationError(
  code: string,
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  return new CairnError(code, message, { data, hint });
}
