import { exitCodeOf, familyOf, type CodeOf, type ErrorCode, type ErrorFamily } from './codes';

export { CODES, FAMILIES, exitCodeOf, familyOf } from './codes';
export type { CodeOf, ErrorCode, ErrorCodeInfo, ErrorFamily } from './codes';

export interface CairnErrorOptions<Data> {
  data?: Data;
  hint?: string;
  cause?: unknown;
}

/** The structured `data` of an error: the file, JSON pointer, row… that was wrong. */
export type ErrorData = Record<string, unknown>;

/**
 * Every failure a user can cause is a `CairnError`: a stable machine-readable
 * `code` from the registry in `codes.ts` (tests and callers branch on it,
 * never on message text), structured `data` (the file, JSON pointer, row…
 * that was wrong) and an optional `hint` saying what would be valid. Commands
 * print `message` and `hint`, never a stack trace, for these; anything else
 * is a bug and keeps its stack.
 *
 * The class is abstract: a failure is an instance of its family
 * (`UsageError`, `InputError`, …), made with `cairnError(code, …)` or the
 * family's constructor, and the family sets the exit status.
 */
export abstract class CairnError<Data extends ErrorData = ErrorData> extends Error {
  readonly code: ErrorCode;
  readonly family: ErrorFamily;
  readonly data: Data;
  readonly hint?: string;
  /** Process exit status a command should end with for this failure (see `FAMILIES`). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: CairnErrorOptions<Data> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.code = code;
    this.family = familyOf(code);
    this.data = options.data ?? ({} as Data);
    this.hint = options.hint;
    this.exitCode = exitCodeOf(code);
  }

  toJSON(): { code: ErrorCode; message: string; data: Data; hint?: string } {
    return {
      code: this.code,
      message: this.message,
      data: this.data,
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

/** A command-line flag, option or argument is missing, malformed or contradicts another. */
export class UsageError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'usage'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

/** A file, field or row the user supplied is invalid or missing. */
export class InputError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'input'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

/** The command ran and what it checked failed (gate, drift, validation): exit status 1. */
export class CheckError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'check'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

/** The user's training command or model code failed or broke its contract: exit status 1. */
export class ModelError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'model'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

/** The workspace or content store is not in a state the command can work with. */
export class StoreError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'store'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

/**
 * A remote or network service failed; `retryable` says whether trying again
 * may succeed (network, 5xx, corrupt download).
 */
export class RemoteError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  readonly retryable: boolean;

  constructor(
    code: CodeOf<'remote'>,
    message: string,
    options: CairnErrorOptions<Data> & { retryable?: boolean } = {},
  ) {
    super(code, message, options);
    this.name = 'RemoteError';
    this.retryable = options.retryable ?? false;
  }
}

/** The machine cannot do what was asked (port in use, unwritable path, missing program, held lock). */
export class SystemError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'system'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

/**
 * An invariant of Cairn itself broke. Only for states no input can reach
 * (a helper called wrongly by Cairn's own code); commands print it with its
 * stack and exit 70.
 */
export class InternalError<Data extends ErrorData = ErrorData> extends CairnError<Data> {
  constructor(code: CodeOf<'internal'>, message: string, options?: CairnErrorOptions<Data>) {
    super(code, message, options);
  }
}

type AnyFamilyClass = new (
  code: ErrorCode,
  message: string,
  options?: CairnErrorOptions<ErrorData>,
) => CairnError;

const FAMILY_CLASSES = {
  usage: UsageError,
  input: InputError,
  check: CheckError,
  model: ModelError,
  store: StoreError,
  remote: RemoteError,
  system: SystemError,
  internal: InternalError,
} as Record<ErrorFamily, unknown> as Record<ErrorFamily, AnyFamilyClass>;

/** The error for `code`, as an instance of the code's family class. */
export function cairnError<Data extends ErrorData = ErrorData>(
  code: ErrorCode,
  message: string,
  options?: CairnErrorOptions<Data>,
): CairnError<Data> {
  return new FAMILY_CLASSES[familyOf(code)](code, message, options) as CairnError<Data>;
}

/**
 * The one reading of a Node file-system failure on a path the user named: a
 * missing path is `PATH_NOT_FOUND` and a permission failure `PATH_UNREADABLE`,
 * whichever package met it, so scripts branch on one code per cause. Any other
 * errno gives `undefined`: what it means depends on the caller (a directory
 * where a file was expected, a device, a full disk…). A CairnError passes through.
 */
export function pathError(
  error: unknown,
  path: string,
  options: { action?: string; hint?: string } = {},
): CairnError | undefined {
  if (error instanceof CairnError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOENT' || errno === 'ENOTDIR') {
    return cairnError('PATH_NOT_FOUND', `${path}: no such file or directory`, {
      data: { path },
      hint: options.hint,
      cause: error,
    });
  }
  if (errno === 'EACCES' || errno === 'EPERM') {
    const action = options.action ? ` while trying to ${options.action}` : '';
    return cairnError('PATH_UNREADABLE', `${path}: permission denied${action}`, {
      data: { path },
      hint: 'check the permissions of the file and its folders',
      cause: error,
    });
  }
  return undefined;
}

/** A file the user named could not be read, for any reason: `pathError`'s codes, else `PATH_UNREADABLE` with the cause. */
export function readFailure(error: unknown, path: string, options: { hint?: string } = {}): CairnError {
  const known = pathError(error, path, { action: 'read it', hint: options.hint });
  if (known) return known;
  const reason = (error as NodeJS.ErrnoException | undefined)?.code ?? (error as Error | undefined)?.message;
  return cairnError('PATH_UNREADABLE', `${path}: cannot be read (${reason ?? String(error)})`, {
    data: { path },
    hint: options.hint,
    cause: error,
  });
}

export function isCairnError(error: unknown, code?: ErrorCode): error is CairnError {
  return error instanceof CairnError && (code === undefined || error.code === code);
}

/** One line (plus a hint line) for a terminal; internal and unexpected errors keep their stack. */
export function formatError(error: unknown): string {
  if (error instanceof CairnError && !(error instanceof InternalError)) {
    return `error[${error.code}]: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`;
  }
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

export { renderErrorReference } from './reference';
