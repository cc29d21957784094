import { describe, expect, it } from 'vitest';
import {
  isIntegerRange,
  isIntegerText,
  parseBooleanText,
  parseDateText,
  parseDateTimeText,
  parseIntegerRange,
  parseNumberRange,
  parseNumberText,
} from './values';

describe('parseNumberText', () => {
  it('equals Number() exactly on 200,000 random decimals of 1–17 digits', () => {
    let state = 11;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < 200_000; n++) {
      const digits = 1 + Math.floor(random() * 17);
      let text = '';
      for (let d = 0; d < digits; d++) text += String(Math.floor(random() * 10));
      const point = Math.floor(random() * (digits + 1));
      if (random() < 0.7) text = `${text.slice(0, point)}.${text.slice(point)}`;
      if (random() < 0.3) text = `-${text}`;
      if (random() < 0.05) text += `e${Math.floor(random() * 40) - 20}`;
      if (text === '.' || text === '-.' || /^-?\.e/.test(text)) continue;
      expect(parseNumberText(text)).toBe(Number(text));
    }
  });

  it('agrees with a regular-expression oracle on 100,000 random texts of number characters', () => {
    let state = 3;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = ['0', '5', '9', '.', '-', '+', 'e', 'E', 'x', ' '];
    const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    for (let n = 0; n < 100_000; n++) {
      const length = Math.floor(random() * 12);
      let text = '';
      for (let d = 0; d < length; d++) text += pieces[Math.floor(random() * (random() < 0.8 ? 4 : 10))];
      const expected = decimal.test(text) ? Number(text) : NaN;
      expect(Object.is(parseNumberRange(`1${text}2`, 1, text.length + 1), expected), text).toBe(true);
    }
  });

  it('rejects what is not a plain decimal and reads inside a larger text', () => {
    for (const text of [
      '',
      '-',
      '.',
      '1.2.3',
      '0x1F',
      'Infinity',
      'NaN',
      ' 1',
      '1 ',
      '1e',
      '1e+',
      '--1',
      '1,5',
      '+',
    ]) {
      expect(parseNumberText(text)).toBeNaN();
    }
    expect(parseNumberText('+.5')).toBe(0.5);
    expect(parseNumberRange('a,-12.25,b', 2, 8)).toBe(-12.25);
    expect(isIntegerText('-12')).toBe(true);
    expect(isIntegerText('1.0')).toBe(false);
  });
});

describe('parseIntegerRange', () => {
  it('gives what the integer check then parseNumberRange give, on 100,000 random texts', () => {
    let state = 5;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = ['0', '1', '7', '9', '-', '+', '.', 'e', ' ', 'x'];
    for (let n = 0; n < 100_000; n++) {
      const length = Math.floor(random() * 21);
      let text = '';
      for (let d = 0; d < length; d++) text += pieces[Math.floor(random() * (random() < 0.9 ? 4 : 10))];
      if (random() < 0.4) text = `${random() < 0.5 ? '-' : '+'}${text}`;
      const expected = isIntegerRange(`,${text},`, 1, text.length + 1)
        ? parseNumberRange(`,${text},`, 1, text.length + 1)
        : NaN;
      expect(Object.is(parseIntegerRange(`,${text},`, 1, text.length + 1), expected), text).toBe(true);
      if (expected === expected) expect(expected).toBe(Number(text));
    }
    expect(Object.is(parseIntegerRange('-0', 0, 2), -0)).toBe(true);
    expect(parseIntegerRange('12345678901234567890', 0, 20)).toBe(Number('12345678901234567890'));
  });
});

describe('dates and booleans', () => {
  it('dates agree with Date.parse on every day of 1999–2025 and reject impossible days', () => {
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2026, 0, 1); t += 86_400_000) {
      const text = new Date(t).toISOString().slice(0, 10);
      expect(parseDateText(text)).toBe(Date.parse(text));
    }
    for (const text of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-00-10', '2024-1-01', '20240101'])
      expect(parseDateText(text)).toBeNaN();
    expect(parseDateText('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    for (const text of ['0000-01-01', '0050-02-28', '0400-02-29', '1600-03-01', '1969-12-31', '9999-12-31'])
      expect(parseDateText(text)).toBe(Date.parse(text));
    expect(parseDateText('1900-02-29')).toBeNaN();
  });

  it('date-times need a valid date and time', () => {
    expect(parseDateTimeText('2024-01-31T23:59:59.123Z')).toBe(Date.parse('2024-01-31T23:59:59.123Z'));
    expect(parseDateTimeText('2024-01-31 10:00+02:00')).toBe(Date.parse('2024-01-31T10:00+02:00'));
    for (const text of ['2024-01-31T24:00', '2024-02-30T10:00', '2024-01-31', '2024-01-31T10'])
      expect(parseDateTimeText(text)).toBeNaN();
  });

  it('booleans in three spellings', () => {
    expect(
      ['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'yes', '1', 'tRue'].map(parseBooleanText),
    ).toEqual([true, true, true, false, false, false, undefined, undefined, undefined]);
  });
});
