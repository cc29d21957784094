import { CairnError } from '@cairn/errors';

/** Stable codes of the failures this package reports. */
export const DriftErrorCode = {
  EmptySample: 'DRIFT_EMPTY_SAMPLE',
  InvalidValue: 'DRIFT_INVALID_VALUE',
  InvalidWeights: 'DRIFT_INVALID_WEIGHTS',
  FrequencyMismatch: 'DRIFT_FREQUENCY_MISMATCH',
  UnknownColumn: 'DRIFT_UNKNOWN_COLUMN',
  UnknownTest: 'DRIFT_UNKNOWN_TEST',
  TestNotApplicable: 'DRIFT_TEST_NOT_APPLICABLE',
  InvalidThreshold: 'DRIFT_INVALID_THRESHOLD',
  NoColumns: 'DRIFT_NO_COLUMNS',
} as const;

export function driftError(
  code: (typeof DriftErrorCode)[keyof typeof DriftErrorCode],
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  return new CairnError(code, message, { data, ...(hint ? { hint } : {}) });
}
