import { describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/errors';
import { validateRequestRows } from './validate-rows';

const manifest = {
  features: [
    { name: 'x', type: 'number' as const },
    { name: 'color', type: 'string' as const },
  ],
};

function errorOf(rows: unknown): CairnError {
  try {
    validateRequestRows(rows, manifest);
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('validateRequestRows', () => {
  it('keeps exactly the declared features', () => {
    expect(validateRequestRows([{ x: 1.5, color: 'red', extra: true }], manifest)).toEqual([
      { x: 1.5, color: 'red' },
    ]);
  });

  it.each([
    [
      [
        { x: 1, color: 'red' },
        { x: '2', color: 'blue' },
      ],
      1,
      'x',
      'number',
    ],
    [[{ x: 1 }], 0, 'color', 'string'],
    [
      [
        { x: 1, color: 'a' },
        { x: 2, color: 'b' },
        { x: null, color: 'c' },
      ],
      2,
      'x',
      'number',
    ],
    [[{ x: 1, color: 7 }], 0, 'color', 'string'],
  ])('names the row, the field and the expected type (%#)', (rows, row, field, expected) => {
    const error = errorOf(rows);
    expect(error.code).toBe('SERVE_INVALID_ROW');
    expect(error.data).toMatchObject({ row, field, expected, pointer: `/rows/${row}/${field}` });
    expect(error.message).toContain(`/rows/${row}/${field}`);
  });

  it('rejects non-finite numbers (JSON cannot carry them, but callers in-process can)', () => {
    expect(errorOf([{ x: Number.NaN, color: 'a' }]).data).toMatchObject({ field: 'x', got: 'NaN' });
  });

  it('rejects a body that is not a non-empty array of objects', () => {
    expect(errorOf([]).code).toBe('SERVE_INVALID_REQUEST');
    expect(errorOf('rows').code).toBe('SERVE_INVALID_REQUEST');
    expect(errorOf([[1, 'a']]).data).toMatchObject({ row: 0 });
  });
});
