import { CairnError } from '@cairn/errors';

export function driftError(
  code: (typeof DriftErrorCode)[keyof typeof DriftErrorCode],
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  return new CairnError(code, message, { data, ...(hint ? { hint } : {}) });
}
