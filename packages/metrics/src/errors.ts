import { CairnError } from '@cairn/errors';

/** Stable error codes thrown by @cairn/metrics. */
export const MetricsErrorCode = {
  /** Arrays that must have one entry per sample differ in length. */
  LengthMismatch: 'METRICS_LENGTH_MISMATCH',
  /** No samples at all. */
  Empty: 'METRICS_EMPTY_INPUT',
  /** Labels mix numbers and strings (scikit-learn refuses this too). */
  MixedLabelTypes: 'METRICS_MIXED_LABEL_TYPES',
  /** A metric that needs two classes got one (scikit-learn raises a ValueError). */
  Undefined: 'METRICS_UNDEFINED',
  /** A label given as an option (posLabel, labels) is not valid for the data. */
  InvalidLabel: 'METRICS_INVALID_LABEL',
  /** Scores / probabilities are not finite, outside [0, 1], or do not sum to 1. */
  InvalidScore: 'METRICS_INVALID_SCORE',
  /** The probability matrix has a different number of columns than labels. */
  ShapeMismatch: 'METRICS_SHAPE_MISMATCH',
  /** An option has an invalid value. */
  InvalidOption: 'METRICS_INVALID_OPTION',
  /** The metrics CSV is malformed or lacks required columns. */
  CsvInvalid: 'METRICS_CSV_INVALID',
} as const;

/** Longest message a metrics error carries: messages quote labels and cells, which can be megabytes. */
export const MAX_MESSAGE_CHARS = 1000;

export function metricsError(
  code: string,
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  const clipped =
    message.length > MAX_MESSAGE_CHARS
      ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length - MAX_MESSAGE_CHARS} more characters)`
      : message;
  return new CairnError(code, clipped, { data, hint });
}

export function checkSameLength(what: string, a: { length: number }, b: { length: number }): void {
  if (a.length !== b.length) {
    throw metricsError(
      MetricsErrorCode.LengthMismatch,
      `${what}: inputs have different lengths (${a.length} vs ${b.length})`,
      {
        lengths: [a.length, b.length],
      },
    );
  }
  if (a.length === 0) throw metricsError(MetricsErrorCode.Empty, `${what}: no samples`);
}
