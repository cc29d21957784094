import { CairnError, RemoteError } from '@cairn/errors';

export { RemoteError };

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/** True for failures worth another attempt: flagged RemoteErrors, socket errors, retryable SDK errors. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RemoteError) return error.retryable;
  if (error instanceof CairnError) return false;
  const e = error as {
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    message?: string;
  };
  if (e?.code && TRANSIENT_CODES.has(e.code)) return true;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return /socket hang up/i.test(e?.message ?? '');
}
