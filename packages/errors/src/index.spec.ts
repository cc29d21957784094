import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  pathError,
  readFailure,
  RemoteError,
  type ErrorCode,
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
      expect(error.exitCode, code).toBe(FAMILIES[CODES[code].family].exitCode);
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

describe('pathError and readFailure: one code per cause for a path the user named', () => {
  /** The real error Node raises for `action`, so the mapping is tested on what the file system says. */
  function nodeFailure(action: () => unknown): unknown {
    try {
      action();
    } catch (error) {
      return error;
    }
    throw new Error('expected the file-system call to fail');
  }
  const dir = mkdtempSync(join(tmpdir(), 'cairn-errors-'));

  it('maps a missing file, and a path through a missing folder, to PATH_NOT_FOUND naming the path', () => {
    for (const path of [join(dir, 'missing.csv'), join(dir, 'no-folder', 'a.csv')]) {
      const error = pathError(
        nodeFailure(() => readFileSync(path)),
        'data/a.csv',
      );
      expect(error).toMatchObject({ code: 'PATH_NOT_FOUND', data: { path: 'data/a.csv' }, exitCode: 2 });
      expect(error?.message).toContain('data/a.csv');
    }
  });

  it('leaves other failures to the caller, and readFailure names them PATH_UNREADABLE with the cause', () => {
    const isDirectory = nodeFailure(() => readFileSync(dir));
    expect(pathError(isDirectory, 'data')).toBeUndefined();
    const failure = readFailure(isDirectory, 'data');
    expect(failure).toMatchObject({ code: 'PATH_UNREADABLE', data: { path: 'data' } });
    expect(failure.message).toContain('EISDIR');
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(pathError(denied, 'a.csv', { action: 'hash it' })?.message).toBe(
      'a.csv: permission denied while trying to hash it',
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes a CairnError through untouched', () => {
    const original = cairnError('POINTER_INVALID', 'x');
    expect(pathError(original, 'y')).toBe(original);
    expect(readFailure(original, 'y')).toBe(original);
  });
});
