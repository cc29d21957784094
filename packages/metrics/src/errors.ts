import { cairnError, type CairnError, type ErrorCode } from '@cairn/errors';

/** Longest message a metrics error carries: messages quote labels and cells, which can be megabytes. */
export const MAX_MESSAGE_CHARS = 1000;

export function metricsError(
  code: Extract<ErrorCode, `METRICS_${string}`> | 'OPTION_INVALID',
  message: string,
  data: Record<string, unknown> = {},
  hint?: string,
): CairnError {
  const clipped =
    message.length > MAX_MESSAGE_CHARS
      ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length - MAX_MESSAGE_CHARS} more characters)`
      : message;
  return cairnError(code, clipped, { data, hint });
}

export function checkSameLength(what: string, a: { length: number }, b: { length: number }): void {
  if (a.length !== b.length) {
    throw metricsError(
      'METRICS_LENGTH_MISMATCH',
      `${what}: inputs have different lengths (${a.length} vs ${b.length})`,
      {
        lengths: [a.length, b.length],
      },
    );
  }
  if (a.length === 0) throw metricsError('METRICS_EMPTY_INPUT', `${what}: no samples`);
}
