import { describe, expect, it } from 'vitest';
import {
  CairnError,
  cairnError,
  CheckError,
  CODES,
  FAMILIES,
  formatError,
  InputError,
  InternalError,
  isCairnError,
  RemoteError,
  type ErrorCode,
  type ErrorCodeInfo,
} from './index';

describe('CairnError', () => {
  it('carries a stable code, data and hint, and formats without a stack', () => {
    const error = new InputError('POINTER_INVALID', 'data/a.csv.cairn: /hash must be 64 hex characters', {
      data: { file: 'data/a.csv.cairn', pointer: '/hash' },
      hint: 'run `cairn add data/a.csv` to rewrite it',
    });
    expect(isCairnError(error, 'POINTER_INVALID')).toBe(true);
    expect(isCairnError(error, 'POINTER_NOT_FOUND')).toBe(false);
    expect(error.exitCode).toBe(2);
    expect(error.family).toBe('input');
    expect(formatError(error)).toBe(
      'error[POINTER_INVALID]: data/a.csv.cairn: /hash must be 64 hex characters\n  hint: run `cairn add data/a.csv` to rewrite it',
    );
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'POINTER_INVALID',
      message: 'data/a.csv.cairn: /hash must be 64 hex characters',
      data: { file: 'data/a.csv.cairn', pointer: '/hash' },
      hint: 'run `cairn add data/a.csv` to rewrite it',
    });
  });

  it('keeps the stack of unexpected errors and of internal ones', () => {
    expect(formatError(new TypeError('boom'))).toContain('TypeError: boom\n    at ');
    expect(formatError(new InternalError('INTERNAL_INVARIANT', 'hasher already finished'))).toContain(
      'hasher already finished\n    at ',
    );
  });

  it('makes every registered code an instance of its family class, with the family exit status', () => {
    for (const code of Object.keys(CODES) as ErrorCode[]) {
      const error = cairnError(code, 'message');
      expect(error).toBeInstanceOf(CairnError);
      expect(error.family, code).toBe(CODES[code].family);
      // The family's status unless the code overrides it (reproduce's "could not run" exits 3).
      const info: ErrorCodeInfo = CODES[code];
      expect(error.exitCode, code).toBe(info.exitCode ?? FAMILIES[CODES[code].family].exitCode);
      expect(error.constructor.name.toLowerCase(), code).toBe(`${CODES[code].family}error`);
    }
    expect(cairnError('GATE_FAILED', 'x')).toBeInstanceOf(CheckError);
    expect(cairnError('GATE_FAILED', 'x').exitCode).toBe(1);
    expect(cairnError('REMOTE_UNREACHABLE', 'x')).toBeInstanceOf(RemoteError);
    expect(new RemoteError('REMOTE_SERVER_ERROR', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('refuses an unregistered code or a code of another family at compile time', () => {
    // @ts-expect-error not a registered code
    expect(isCairnError(new Error('x'), 'NOT_A_CODE')).toBe(false);
    // @ts-expect-error GATE_FAILED belongs to the check family
    expect(new InputError('GATE_FAILED', 'x').code).toBe('GATE_FAILED');
  });
});
