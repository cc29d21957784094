import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

/** The codes the experiments package reports (the registry in @cairn/errors holds them all). */
export type ExperimentErrorCode = Extract<ErrorCode, `EXP_${string}` | `TUNE_${string}`>;

export function experimentError(
  code: ExperimentErrorCode,
  message: string,
  data: Record<string, unknown>,
  hint?: string,
): CairnError {
  return cairnError(code, message, { data, hint });
}
