import { describe, expect, it } from 'vitest';
import { CairnError, formatError, isCairnError } from './index';

describe('CairnError', () => {
  it('carries a stable code, data and hint, and formats without a stack', () => {
    const error = new CairnError('POINTER_INVALID', 'data/a.csv.cairn: /hash must be 64 hex characters', {
      data: { file: 'data/a.csv.cairn', pointer: '/hash' },
      hint: 'run `cairn add data/a.csv` to rewrite it',
    });
    expect(isCairnError(error, 'POINTER_INVALID')).toBe(true);
    expect(isCairnError(error, 'OTHER')).toBe(false);
    expect(error.exitCode).toBe(2);
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

  it('keeps the stack of unexpected errors', () => {
    expect(formatError(new TypeError('boom'))).toContain('TypeError: boom\n    at ');
  });
});
