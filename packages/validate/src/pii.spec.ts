import { describe, expect, it } from 'vitest';
import { canonicalPii, ibanValid, luhnValid, maskPii, scanPii } from './pii';

const kinds = (value: string) => scanPii(value).map((m) => `${m.kind}:${m.text}`);

describe('scanPii: true positives', () => {
  it.each([
    ['write to jane.doe+ml@example.co.uk today', 'email:jane.doe+ml@example.co.uk'],
    ['A.B_C@sub.domain.org', 'email:A.B_C@sub.domain.org'],
    ['call +1 415 555 2671', 'phone:+1 415 555 2671'],
    ['+44 20 7946 0958', 'phone:+44 20 7946 0958'],
    ['+4915112345678', 'phone:+4915112345678'],
    ['+33 6 12 34 56 78', 'phone:+33 6 12 34 56 78'],
    ['(415) 555-2671', 'phone:(415) 555-2671'],
    ['415-555-2671', 'phone:415-555-2671'],
    ['415.555.2671', 'phone:415.555.2671'],
    ['020 7946 0958', 'phone:020 7946 0958'],
    ['06 12 34 56 78', 'phone:06 12 34 56 78'],
    ['card 4111 1111 1111 1111 exp', 'credit-card:4111 1111 1111 1111'],
    ['4111-1111-1111-1111', 'credit-card:4111-1111-1111-1111'],
    ['5555555555554444', 'credit-card:5555555555554444'],
    ['amex 378282246310005', 'credit-card:378282246310005'],
    ['6011111111111117', 'credit-card:6011111111111117'],
    ['GB82 WEST 1234 5698 7654 32', 'iban:GB82 WEST 1234 5698 7654 32'],
    ['iban DE89370400440532013000.', 'iban:DE89370400440532013000'],
    ['FR1420041010050500013M02606', 'iban:FR1420041010050500013M02606'],
    ['NL91ABNA0417164300', 'iban:NL91ABNA0417164300'],
    ['from 192.168.1.20 at noon', 'ipv4:192.168.1.20'],
    ['8.8.8.8', 'ipv4:8.8.8.8'],
    ['host 2001:db8::ff00:42:8329 up', 'ipv6:2001:db8::ff00:42:8329'],
    ['fe80::1', 'ipv6:fe80::1'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'ipv6:2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
  ])('finds %j', (value, expected) => {
    expect(kinds(value)).toEqual([expected]);
  });

  it('finds several kinds in one value, in order', () => {
    expect(scanPii('mail a@b.io or call +1 415 555 2671 from 10.0.0.1').map((m) => m.kind)).toEqual([
      'email',
      'phone',
      'ipv4',
    ]);
  });

  it('can be restricted to some kinds', () => {
    expect(scanPii('a@b.io 10.0.0.1', ['ipv4']).map((m) => m.kind)).toEqual(['ipv4']);
  });
});

describe('scanPii: no false positives on ordinary values', () => {
  it.each([
    '5.1',
    '-0.25',
    '3.14159265358979',
    '1e-10',
    '2024-01-15',
    '15/01/2024',
    '2024-01-15T10:30:00Z',
    '2024-01-15 10:30:45.123',
    '12:30:45',
    'version 1.2.3',
    '1.2.3.4.5',
    '999.1.1.1',
    '1234567890',
    '4111111111111112', // Luhn fails
    '1234567812345670', // Luhn passes, no card network starts with 1
    '0000000000000000',
    'order 20240115123456',
    'GB82 WEST 1234 5698 7654 33', // mod-97 fails
    'XX82WEST12345698765432', // no such country
    'DE8937040044053201300', // one character short for DE
    'user@localhost',
    'not an @ email',
    '+5.1',
    '+1',
    'ISBN 978-3-16-148410-0',
    '01-02-2024',
    'sepal 5.1 3.5 1.4 0.2',
    'a::b',
    '::',
    'id 550e8400-e29b-41d4-a716-446655440000',
  ])('ignores %j', (value) => {
    expect(kinds(value)).toEqual([]);
  });
});

describe('checksums', () => {
  it('Luhn accepts the published test card numbers and rejects single-digit changes', () => {
    for (const number of [
      '4111111111111111',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '3566002020360505',
    ]) {
      expect(luhnValid(number)).toBe(true);
      const changed = number.slice(0, -1) + String((Number(number.at(-1)) + 1) % 10);
      expect(luhnValid(changed)).toBe(false);
    }
  });

  it('IBAN mod-97 accepts registry examples and rejects altered ones', () => {
    for (const iban of [
      'GB82WEST12345698765432',
      'DE89370400440532013000',
      'CH9300762011623852957',
      'NO9386011117947',
      'BE68539007547034',
    ]) {
      expect(ibanValid(iban)).toBe(true);
      expect(ibanValid(iban.slice(0, -1) + String((Number(iban.at(-1)) + 1) % 10))).toBe(false);
    }
  });
});

describe('maskPii and canonicalPii', () => {
  it('masks without revealing the value', () => {
    expect(maskPii('email', 'jane@example.com')).toBe('j***@example.com');
    expect(maskPii('credit-card', '4111 1111 1111 1111')).toBe('**** **** **** 1111');
    expect(maskPii('phone', '+1 415 555 2671')).toBe('+* *** *** **71');
    expect(maskPii('iban', 'DE89370400440532013000')).toBe('DE****************3000');
    expect(maskPii('ipv4', '192.168.1.20')).toBe('192.*.*.*');
  });

  it('maps notations of the same value to one canonical form', () => {
    expect(canonicalPii('phone', '+1 (415) 555-2671')).toBe(canonicalPii('phone', '+1 415 555 2671'));
    expect(canonicalPii('email', 'Jane@Example.com')).toBe(canonicalPii('email', 'jane@example.com'));
    expect(canonicalPii('iban', 'GB82 WEST 1234 5698 7654 32')).toBe('GB82WEST12345698765432');
  });
});
