import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anonymizeDataset, createRowAnonymizer } from './anonymize';
import { validateDataset } from './validate';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-anon-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const KEY = 'k'.repeat(32);
const OTHER_KEY = 'z'.repeat(32);

const INPUT = [
  'id,name,contact,note',
  '1,Ann,ann@example.com,"called +1 415 555 2671, card 4111 1111 1111 1111"',
  '2,Bob,bob@example.com,from 10.0.0.7',
  '3,Ann,ANN@example.com,"IBAN GB82 WEST 1234 5698 7654 32; sepal 5.1"',
  '',
].join('\n');

function pythonRows(file: string): string[][] {
  const script = 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))';
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }),
  ) as string[][];
}

function input(name = 'people.csv', content = INPUT): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('anonymizeDataset', () => {
  it('replaces every PII value with a keyed token, keeps other text and the CSV shape', async () => {
    const source = input();
    const out = path.join(tmp, 'out', 'people.anon.csv');
    const result = await anonymizeDataset(source, out, { key: KEY, mode: 'pseudonymize' });
    expect(result).toEqual({
      rows: 3,
      replaced: { email: 3, phone: 1, 'credit-card': 1, ipv4: 1, iban: 1 },
      byColumn: { contact: 3, note: 4 },
    });
    const before = pythonRows(source);
    const after = pythonRows(out);
    expect(after).toHaveLength(before.length);
    expect(after.map((r) => r.slice(0, 2))).toEqual(before.map((r) => r.slice(0, 2)));
    expect(after[1]![2]).toMatch(/^email_[0-9a-f]{16}$/);
    expect(after[1]![3]).toMatch(/^called phone_[0-9a-f]{16}, card credit-card_[0-9a-f]{16}$/);
    expect(after[3]![3]).toMatch(/^IBAN iban_[0-9a-f]{16}; sepal 5\.1$/);
    // the same address (case aside) gets the same token, a different one another token
    expect(after[3]![2]).toBe(after[1]![2]);
    expect(after[2]![2]).not.toBe(after[1]![2]);
    // the anonymized file passes a PII scan that the original fails
    expect((await validateDataset(source, { pii: {} })).ok).toBe(false);
    expect((await validateDataset(out, { pii: {} })).violations).toEqual([]);
  });

  it('is deterministic for a key and differs between keys', async () => {
    const source = input();
    const a = path.join(tmp, 'a.csv');
    const b = path.join(tmp, 'b.csv');
    const c = path.join(tmp, 'c.csv');
    await anonymizeDataset(source, a, { key: KEY, mode: 'pseudonymize' });
    await anonymizeDataset(source, b, { key: Buffer.from(KEY), mode: 'pseudonymize' });
    await anonymizeDataset(source, c, { key: OTHER_KEY, mode: 'pseudonymize' });
    expect(fs.readFileSync(b, 'utf8')).toBe(fs.readFileSync(a, 'utf8'));
    const tokens = (file: string) =>
      pythonRows(file)
        .slice(1)
        .map((r) => r[2]);
    expect(tokens(c)).not.toEqual(tokens(a));
    expect(new Set(tokens(c)).size).toBe(2);
  });

  it('never writes in place and leaves the input untouched', async () => {
    const source = input('keep.csv');
    const before = fs.readFileSync(source);
    await expect(anonymizeDataset(source, source, { key: KEY, mode: 'mask' })).rejects.toMatchObject({
      code: 'ANONYMIZE_IN_PLACE',
    });
    await expect(
      anonymizeDataset(source, path.join(tmp, '.', 'keep.csv'), { key: KEY, mode: 'mask' }),
    ).rejects.toMatchObject({ code: 'ANONYMIZE_IN_PLACE' });
    const link = path.join(tmp, 'hardlink.csv');
    fs.linkSync(source, link);
    await expect(anonymizeDataset(source, link, { key: KEY, mode: 'mask' })).rejects.toMatchObject({
      code: 'ANONYMIZE_IN_PLACE',
    });
    await anonymizeDataset(source, path.join(tmp, 'keep.masked.csv'), { key: KEY, mode: 'mask' });
    expect(fs.readFileSync(source).equals(before)).toBe(true);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('masks, restricts to columns, replaces whole columns', async () => {
    const source = input();
    const out = path.join(tmp, 'masked.csv');
    const result = await anonymizeDataset(source, out, {
      key: KEY,
      mode: 'mask',
      columns: ['contact'],
      wholeColumns: ['name'],
    });
    expect(result.byColumn).toEqual({ contact: 3, name: 3 });
    const rows = pythonRows(out);
    expect(rows[1]).toEqual([
      '1',
      '***',
      'a***@example.com',
      'called +1 415 555 2671, card 4111 1111 1111 1111',
    ]);
    const pseudonyms = path.join(tmp, 'whole.csv');
    await anonymizeDataset(source, pseudonyms, {
      key: KEY,
      mode: 'pseudonymize',
      wholeColumns: ['name'],
      columns: [],
    });
    const names = pythonRows(pseudonyms)
      .slice(1)
      .map((r) => r[1]);
    expect(names[0]).toMatch(/^value_[0-9a-f]{16}$/);
    expect(names[2]).toBe(names[0]);
    expect(names[1]).not.toBe(names[0]);
  });

  it('handles JSON Lines and JSON arrays, nested strings included', async () => {
    const jsonl = input(
      'p.jsonl',
      '{"id":1,"who":{"mail":"ann@example.com"},"n":5.1}\n{"id":2,"who":null,"n":2}\n',
    );
    const out = path.join(tmp, 'p.anon.jsonl');
    expect((await anonymizeDataset(jsonl, out, { key: KEY, mode: 'pseudonymize' })).rows).toBe(2);
    const lines = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { who: { mail: string } | null; n: number });
    expect(lines[0]!.who!.mail).toMatch(/^email_/);
    expect(lines[1]).toEqual({ id: 2, who: null, n: 2 });
    const json = input('p.json', JSON.stringify([{ ip: '10.1.2.3' }, { ip: 'none' }]));
    const jsonOut = path.join(tmp, 'p.anon.json');
    await anonymizeDataset(json, jsonOut, { key: KEY, mode: 'mask' });
    expect(JSON.parse(fs.readFileSync(jsonOut, 'utf8'))).toEqual([{ ip: '10.*.*.*' }, { ip: 'none' }]);
  });

  it('refuses a short key', async () => {
    await expect(
      anonymizeDataset(input(), path.join(tmp, 'x.csv'), { key: 'short', mode: 'mask' }),
    ).rejects.toMatchObject({ code: 'ANONYMIZE_KEY_WEAK' });
  });
});

describe('createRowAnonymizer', () => {
  it('masks a row as anonymizeDataset masks a file: detected PII in any column, whole declared columns', async () => {
    const mask = createRowAnonymizer({ mode: 'mask', wholeColumns: ['name'] });
    expect(mask({ name: 'Ada Lovelace', note: 'mail ada@example.com', x: 3 })).toEqual({
      name: '********',
      note: 'mail a***@example.com',
      x: 3,
    });
    expect(() => createRowAnonymizer({ mode: 'pseudonymize', key: 'short' })).toThrow(
      expect.objectContaining({ code: 'ANONYMIZE_KEY_WEAK' }),
    );
  });
});
