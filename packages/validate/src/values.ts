/**
 * Text-level type checks shared by validation and inference. The `*Range`
 * forms read `text` between two offsets, so the CSV hot path never allocates
 * a string per field; no regular expressions on the hot path.
 */

/**
 * NaN for the parsers on the CSV hot path. The global `NaN` reaches the
 * optimizing compiler as a tagged constant: a function that returns it on one
 * path and a computed double on another then boxes every double it returns (a
 * heap number per field; 14 per row on the benchmark's CSV). This one does not.
 */
export const NOT_A_NUMBER = Number.NaN;

// Parsed from text, which is correctly rounded (10 ** i need not be for large i).
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `[+-]digits` */
export function isIntegerRange(text: string, start: number, end: number): boolean {
  let i = start;
  const first = text.charCodeAt(i);
  if (first === 43 || first === 45) i++;
  if (i >= end) return false;
  for (; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/**
 * The value of an integer `[+-]digits` between `start` and `end`, NaN for
 * anything else: what `isIntegerRange` then `parseNumberRange` give, in one pass.
 */
export function parseIntegerRange(text: string, start: number, end: number): number {
  let i = start;
  const first = text.charCodeAt(i);
  if (first === 43 || first === 45) i++;
  const digitsStart = i;
  if (i >= end) return NOT_A_NUMBER;
  let value = 0;
  for (; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NOT_A_NUMBER;
    value = value * 10 + digit;
  }
  // Beyond 15 digits the sum above may be inexact: `Number` rounds correctly.
  if (end - digitsStart > 15) return Number(text.slice(start, end));
  return first === 45 ? -value : value;
}

export function isIntegerText(text: string): boolean {
  return isIntegerRange(text, 0, text.length);
}

/** A decimal number: `[+-]digits[.digits][e[+-]digits]` or `.5`; no hex, Infinity, NaN or spaces. */
function isNumberRange(text: string, start: number, end: number): boolean {
  let i = start;
  let code = text.charCodeAt(i);
  if (code === 43 || code === 45) i++;
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < end) {
    code = text.charCodeAt(i);
    if (code !== 101 && code !== 69) return false;
    i++;
    if (i < end) {
      code = text.charCodeAt(i);
      if (code === 43 || code === 45) i++;
    }
    let exponent = 0;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      exponent++;
    }
    if (exponent === 0) return false;
  }
  return i === end;
}

/**
 * The value of a decimal number between `start` and `end`, NaN for anything
 * else. Plain decimals with at most 15 digits and 22 decimals are computed as
 * integer / 10^k — exact IEEE rounding, since both operands are exact doubles
 * — in one pass; other forms (exponents, long mantissas) go to `Number`.
 */
export function parseNumberRange(text: string, start: number, end: number): number {
  let i = start;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) i++;
  const integerStart = i;
  let mantissa = 0;
  let digit = 0;
  // Two plain loops, integer part then decimals: fewer branches per character than one loop tracking the point.
  for (; i < end; i++) {
    digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
  }
  let digits = i - integerStart;
  let decimals = 0;
  if (i < end) {
    if (digit !== -2) return parseOtherNumber(text, start, end);
    const decimalsStart = ++i;
    for (; i < end; i++) {
      digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return parseOtherNumber(text, start, end);
      mantissa = mantissa * 10 + digit;
    }
    decimals = end - decimalsStart;
    digits += decimals;
  }
  if (digits === 0) return NOT_A_NUMBER;
  if (digits > 15 || decimals > 22) return Number(text.slice(start, end));
  const value = decimals > 0 ? mantissa / POWERS_OF_TEN[decimals]! : mantissa;
  return first === 45 ? -value : value;
}

/** Exponents, or not a number at all. */
function parseOtherNumber(text: string, start: number, end: number): number {
  return isNumberRange(text, start, end) ? Number(text.slice(start, end)) : NOT_A_NUMBER;
}

export function parseNumberText(text: string): number {
  return parseNumberRange(text, 0, text.length);
}

/** true/True/TRUE, false/False/FALSE. */
export function parseBooleanRange(text: string, start: number, end: number): boolean | undefined {
  const length = end - start;
  const first = text.charCodeAt(start) | 0x20;
  if (length === 4 && first === 116) {
    if (text.startsWith('true', start) || text.startsWith('True', start) || text.startsWith('TRUE', start))
      return true;
  } else if (length === 5 && first === 102) {
    if (text.startsWith('false', start) || text.startsWith('False', start) || text.startsWith('FALSE', start))
      return false;
  }
  return undefined;
}

export function parseBooleanText(text: string): boolean | undefined {
  return parseBooleanRange(text, 0, text.length);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil): integer arithmetic, cheaper than `Date.UTC`. */
function daysFromCivil(year: number, month: number, day: number): number {
  // `(a / b) | 0` on small non-negative integers: V8 turns division by a constant into a multiply (Math.floor keeps a float division).
  const y = month <= 2 ? year - 1 : year; // -1 for January and February of year 0
  const era = ((y >= 0 ? y : y - 399) / 400) | 0;
  const yearOfEra = y - era * 400;
  const dayOfYear = (((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) | 0) + day - 1;
  const dayOfEra = yearOfEra * 365 + ((yearOfEra / 4) | 0) - ((yearOfEra / 100) | 0) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Milliseconds since the epoch for an ISO 8601 calendar date `YYYY-MM-DD`, or NaN. */
export function parseDateRange(text: string, start: number, end: number): number {
  return parseDateDaysRange(text, start, end) * 86_400_000;
}

/** Days since 1970-01-01 for an ISO 8601 calendar date `YYYY-MM-DD`, or NaN (a small integer: no heap number per call). */
export function parseDateDaysRange(text: string, start: number, end: number): number {
  if (end - start !== 10 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45)
    return NOT_A_NUMBER;
  const high = twoDigits(text, start);
  const low = twoDigits(text, start + 2);
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  if (high < 0 || low < 0 || month < 1 || month > 12 || day < 1) return NOT_A_NUMBER;
  const year = high * 100 + low;
  if (day > daysInMonth(year, month)) return NOT_A_NUMBER;
  return daysFromCivil(year, month, day);
}

export function parseDateText(text: string): number {
  return parseDateRange(text, 0, text.length);
}

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch for an ISO 8601 date-time (`T` or space; optional seconds, fraction, zone), or NaN. */
export function parseDateTimeText(text: string): number {
  const match = DATETIME.exec(text);
  if (!match) return NaN;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6] ?? 0) > 59) return NaN;
  return Date.parse(text.replace(' ', 'T'));
}

/** A string that shares no memory with the (possibly large) text it was sliced from. */
export function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/** Values kept in reports are cut to this many characters. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
