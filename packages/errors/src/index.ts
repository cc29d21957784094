/**
 * Every failure a user can cause is a `CairnError`: a stable machine-readable
 * `code` (tests and callers branch on it, never on message text), structured
 * `data` (the file, JSON pointer, row… that was wrong) and an optional `hint`
 * saying what would be valid. Commands print `message` and `hint`, never a
 * stack trace, for these; anything else is a bug and keeps its stack.
 */
export class CairnError<Data extends Record<string, unknown> = Record<string, unknown>> extends Error {
  readonly code: string;
  readonly data: Data;
  readonly hint?: string;
  /** Process exit status a command should end with for this failure. */
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    options: { data?: Data; hint?: string; cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.code = code;
    this.data = options.data ?? ({} as Data);
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }

  toJSON(): { code: string; message: string; data: Data; hint?: string } {
    return {
      code: this.code,
      message: this.message,
      data: this.data,
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

export function isCairnError(error: unknown, code?: string): error is CairnError {
  return error instanceof CairnError && (code === undefined || error.code === code);
}

/** One line (plus a hint line) for a terminal; unexpected errors keep their stack. */
export function formatError(error: unknown): string {
  if (error instanceof CairnError) {
    return `error[${error.code}]: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`;
  }
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
