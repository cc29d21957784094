import { isIPv6 } from 'node:net';
import type { PiiKind } from './spec';

export interface PiiMatch {
  kind: PiiKind;
  /** The matched text as written. */
  text: string;
  /** UTF-16 offsets in the scanned value. */
  start: number;
  end: number;
}

/*
 * Detectors are tuned for few false positives on tabular data: numbers such as
 * `5.1`, dates, times, ids and versions must not be flagged. Each detector is a
 * candidate regular expression plus a checksum or shape check.
 */

const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\.?\\w)`, 'g');

const IPV6_CANDIDATE =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;

/** 13–19 digits, optionally grouped by single spaces or dashes. */
const CARD_CANDIDATE = /(?<![\w.,+-])\d(?:[ -]?\d){12,18}(?![\w]|[.,]\d|[ -]\d)/g;

/** Country code, check digits, then 11–30 alphanumerics, optionally in groups of four. */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])/g;

/** International: + country code, then digit groups separated by single spaces, dots or dashes. */
const PHONE_INTL = /(?<![\w+])\+[1-9]\d{0,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,6})){1,6}(?![\w]|[.,-]\d)/g;
/** North American: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567. */
const PHONE_NANP = /(?<![\w+.-])(?:\(\d{3}\) ?\d{3}[-. ]?|\d{3}([-. ])\d{3}\1)\d{4}(?![\w]|[.,-]\d)/g;
/** National with a trunk 0 and one consistent separator: 020 7946 0958, 06 12 34 56 78, 030-1234567. */
const PHONE_TRUNK = /(?<![\w+.,-])0\d{1,4}([ -])\d{2,8}(?:\1\d{2,8}){0,4}(?![\w]|[.,-]\d)/g;

const MAY_HOLD_PII = /[@0-9]/;
const HAS_DIGIT = /[0-9]/;
const HAS_UPPER = /[A-Z]/;

/** IBAN lengths by country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the major card networks; a Luhn-valid number outside them is more likely an id. */
function plausibleCardPrefix(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  const len = digits.length;
  if (digits[0] === '4') return len === 13 || len === 16 || len === 19; // Visa
  if (two >= 51 && two <= 55) return len === 16; // Mastercard
  if (four >= 2221 && four <= 2720) return len === 16; // Mastercard 2-series
  if (two === 34 || two === 37) return len === 15; // American Express
  if (four === 6011 || two === 65 || (four >= 6440 && four <= 6499)) return len >= 16; // Discover
  if (two === 36 || two === 38 || (four >= 3000 && four <= 3059)) return len >= 14; // Diners Club
  if (four >= 3528 && four <= 3589) return len >= 16; // JCB
  if (two === 62) return len >= 16; // UnionPay
  if (two === 50 || (two >= 56 && two <= 69)) return len >= 12; // Maestro
  return false;
}

export function ibanValid(compact: string): boolean {
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected === undefined || compact.length !== expected) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

function* matches(pattern: RegExp, value: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(value)) !== null) {
    yield match;
    if (match[0].length === 0) pattern.lastIndex++;
  }
}

function overlaps(found: PiiMatch[], start: number, end: number): boolean {
  return found.some((m) => start < m.end && m.start < end);
}

function push(found: PiiMatch[], kind: PiiKind, text: string, start: number): void {
  const end = start + text.length;
  if (!overlaps(found, start, end)) found.push({ kind, text, start, end });
}

/** False when no detector can match: each needs six characters and an "@" or a digit (a native check most text values stop at). */
export function mayHoldPii(value: string): boolean {
  return value.length >= 6 && MAY_HOLD_PII.test(value);
}

/** Finds personal data in one text value. `kinds` restricts the search. */
export function scanPii(value: string, kinds?: readonly PiiKind[]): PiiMatch[] {
  if (!mayHoldPii(value)) return [];
  const hasAt = value.includes('@');
  const hasDigit = HAS_DIGIT.test(value);
  const hasColon = value.includes(':');
  const hasUpper = HAS_UPPER.test(value);
  const found: PiiMatch[] = [];
  const want = (kind: PiiKind) => kinds === undefined || kinds.includes(kind);
  if (hasAt && want('email')) {
    for (const m of matches(EMAIL, value)) push(found, 'email', m[0], m.index);
  }
  if (!hasDigit) return found;
  if (hasUpper && want('iban')) {
    for (const m of matches(IBAN_CANDIDATE, value)) {
      const compact = m[0].replace(/ /g, '');
      if (ibanValid(compact)) push(found, 'iban', m[0], m.index);
    }
  }
  if (want('credit-card')) {
    for (const m of matches(CARD_CANDIDATE, value)) {
      const digits = digitsOf(m[0]);
      if (/^(\d)\1+$/.test(digits)) continue;
      if (luhnValid(digits) && plausibleCardPrefix(digits)) push(found, 'credit-card', m[0], m.index);
    }
  }
  if (hasColon && want('ipv6')) {
    for (const m of matches(IPV6_CANDIDATE, value)) {
      if (/[0-9A-Fa-f]/.test(m[0]) && isIPv6(m[0])) push(found, 'ipv6', m[0], m.index);
    }
  }
  if (want('ipv4')) {
    for (const m of matches(IPV4, value)) push(found, 'ipv4', m[0], m.index);
  }
  if (want('phone')) {
    for (const pattern of [PHONE_INTL, PHONE_NANP, PHONE_TRUNK]) {
      for (const m of matches(pattern, value)) {
        const digits = digitsOf(m[0]).length;
        const min = pattern === PHONE_NANP ? 10 : 9;
        if (digits >= min && digits <= 15) push(found, 'phone', m[0], m.index);
      }
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * A masked form that keeps enough to recognise the kind but hides the person:
 * reports use it so they never leak what they flag.
 */
export function maskPii(kind: PiiKind, text: string): string {
  switch (kind) {
    case 'email': {
      const at = text.lastIndexOf('@');
      return `${text[0] ?? ''}***${text.slice(at)}`;
    }
    case 'credit-card':
    case 'phone': {
      const keep = kind === 'credit-card' ? 4 : 2;
      let seen = 0;
      const total = digitsOf(text).length;
      return text.replace(/\d/g, (d) => (++seen > total - keep ? d : '*'));
    }
    case 'iban':
      return text.slice(0, 2) + text.slice(2, -4).replace(/[A-Z0-9]/g, '*') + text.slice(-4);
    case 'ipv4':
      return text.replace(/^(\d+)\..*$/, '$1.*.*.*');
    case 'ipv6':
      return `${text.split(':')[0] || ''}:****`;
  }
}

/** Canonical form used for pseudonyms: the same person in a different notation gets the same token. */
export function canonicalPii(kind: PiiKind, text: string): string {
  switch (kind) {
    case 'email':
      return text.toLowerCase();
    case 'phone':
      return (text.trim().startsWith('+') ? '+' : '') + digitsOf(text);
    case 'credit-card':
      return digitsOf(text);
    case 'iban':
      return text.replace(/ /g, '').toUpperCase();
    case 'ipv4':
      return text;
    case 'ipv6':
      return text.toLowerCase();
  }
}
