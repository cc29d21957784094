import { describe, expect, it } from 'vitest';
import { type Cell, type Row, castCell } from './cells';
import { parseTable } from './read';
import { csvRecords, tableToCsv } from './write';

function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

const castText = (value: Cell): Cell => (typeof value === 'string' ? castCell(value) : value);

describe('tableToCsv', () => {
  it('quotes what needs quoting and writes null as an empty cell', () => {
    expect(
      tableToCsv(
        ['a', 'b'],
        [
          { a: 'x,y', b: 'say "hi"' },
          { a: ' pad', b: null },
          { a: 'a\rb', b: 1.5 },
        ],
      ),
    ).toBe('a,b\n"x,y","say ""hi"""\n" pad",\n"a\rb",1.5\n');
    expect(tableToCsv(['a'], [{ a: null }, { a: 'x' }])).toBe('a\n""\nx\n');
    expect(csvRecords([['a\tb', 'c']], '\t')).toBe('"a\tb"\tc\n');
  });

  it('round-trips random tables through the reader (seeded)', () => {
    const seed = Number(process.env.CAIRN_TEST_SEED ?? 4242);
    console.log(`tableToCsv round-trip seed: ${seed} (CAIRN_TEST_SEED to replay)`);
    const random = generator(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pieces = [
      'a',
      'Zz',
      ',',
      '\t',
      '"',
      '\n',
      '\r\n',
      '\r',
      ' ',
      'é',
      '日本',
      '0x1',
      'NA',
      '-',
      '.',
      'e',
    ];
    const text = () => {
      let value = '';
      const length = 1 + Math.floor(random() * 4);
      for (let k = 0; k < length; k++) value += pick(pieces);
      return value;
    };
    const cell = (): Row[string] => {
      const kind = random();
      if (kind < 0.15) return null;
      if (kind < 0.45) return Math.round((random() - 0.5) * 1e6) / 10 ** Math.floor(random() * 4) || 1;
      if (kind < 0.5) return (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      return text();
    };
    for (let round = 0; round < 200; round++) {
      const width = 1 + Math.floor(random() * 5);
      const columns = Array.from({ length: width }, (_, i) => `${text()}#${i}`);
      const rows: Row[] = Array.from({ length: Math.floor(random() * 8) }, () =>
        Object.fromEntries(columns.map((column) => [column, cell()])),
      );
      const delimiter = pick([',', '\t', ';']);
      const written = tableToCsv(columns, rows, { delimiter });
      const read = parseTable(written, { format: 'csv', delimiter }, `round ${round}`);
      // The writer keeps text as written; reading applies the one cell rule (a text like " 5" becomes 5).
      const expected = rows.map((row) =>
        Object.fromEntries(columns.map((column) => [column, castText(row[column]!)])),
      );
      expect(read.columns, `round ${round}: ${JSON.stringify(written)}`).toEqual(columns);
      expect(read.rows, `round ${round}: ${JSON.stringify(written)}`).toEqual(expected);
    }
  });
});
