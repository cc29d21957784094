import { describe, expect, it } from 'vitest';
import { NUMBER_PATTERN, castCell, parseNumber } from './cells';

/** A small seeded generator (printed seed), so a failure can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('parseNumber', () => {
  it('agrees with the documented pattern on random number-like texts', () => {
    const seed = Number(process.env.CAIRN_TEST_SEED ?? 20261201);
    console.log(`parseNumber property seed: ${seed} (CAIRN_TEST_SEED to replay)`);
    const random = generator(seed);
    const pieces = [
      '0',
      '1',
      '9',
      '.',
      'e',
      'E',
      '-',
      '+',
      'x',
      'X',
      'b',
      'o',
      ' ',
      '\t',
      '\u00a0',
      '_',
      'I',
      'n',
      '5',
    ];
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const length = Math.floor(random() * 7);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
      const trimmed = text.trim();
      const expected =
        NUMBER_PATTERN.test(trimmed) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : undefined;
      expect(parseNumber(text), JSON.stringify(text)).toBe(expected);
    }
  });

  it('edge cases: blank, hex/octal/binary, overflow, Infinity', () => {
    for (const text of [
      '',
      ' ',
      '\n',
      '0x10',
      ' 0X10',
      '0o7',
      '0b1',
      '1e400',
      '-1e400',
      'Infinity',
      '-Infinity',
      'NaN',
    ])
      expect(parseNumber(text), JSON.stringify(text)).toBeUndefined();
    expect(parseNumber('0')).toBe(0);
    expect(parseNumber('-0.0e0')).toBe(-0);
    expect(parseNumber('1.7976931348623157e308')).toBe(Number.MAX_VALUE);
  });
});

describe('castCell', () => {
  it('empty is null, numbers are numbers, the rest stays text as written', () => {
    expect(castCell('')).toBeNull();
    expect(castCell(' 2 ')).toBe(2);
    expect(castCell(' ')).toBe(' ');
    expect(castCell('NA')).toBe('NA');
  });
});
