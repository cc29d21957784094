import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const ENV = 'CAIRN_TEST_ANON_KEY';

const cairn = (...args: string[]) => runCli(args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-anonymize-cli-'));
  writeFileSync(
    join(dir, 'in.csv'),
    'id,email,name\n1,ann@example.com,Ann\n2,bob@example.com,Bob\n3,ann@example.com,Ann\n',
  );
  writeFileSync(join(dir, 'key'), `${'a'.repeat(32)}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  delete process.env[ENV];
});

describe('cairn anonymize', () => {
  it('writes a pseudonymized copy; the env key and the file key (newline ignored) give the same tokens', async () => {
    process.env[ENV] = 'a'.repeat(32);
    const fromEnv = await cairn(
      'anonymize',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'env.csv'),
      '--key-env',
      ENV,
      '--json',
    );
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({
      rows: 3,
      replaced: { email: 3 },
      byColumn: { email: 3 },
    });
    const fromFile = await cairn(
      'anonymize',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'file.csv'),
      '--key-file',
      join(dir, 'key'),
      '--whole-columns',
      'name',
    );
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain(`next: cairn add ${join(dir, 'file.csv')}`);
    const env = readFileSync(join(dir, 'env.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const file = readFileSync(join(dir, 'file.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(env.map((r) => r[1])).toEqual(file.map((r) => r[1]));
    expect(env[1]![1]).toMatch(/^email_[0-9a-f]{16}$/);
    expect(env[3]![1]).toBe(env[1]![1]);
    expect(file[1]![2]).toMatch(/^value_/);
    expect(env[1]![2]).toBe('Ann');
  });

  it('--mask masks; --columns restricts', async () => {
    const r = await cairn(
      'anonymize',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'masked.csv'),
      '--key-file',
      join(dir, 'key'),
      '--mask',
      '--columns',
      'name',
    );
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'masked.csv'), 'utf8')).toBe(readFileSync(join(dir, 'in.csv'), 'utf8'));
    await cairn(
      'anonymize',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'masked2.csv'),
      '--key-file',
      join(dir, 'key'),
      '--mask',
    );
    expect(readFileSync(join(dir, 'masked2.csv'), 'utf8')).toContain('1,a***@example.com,Ann');
  });

  it('exits 2 without a key, with an unset variable, or writing over the input', async () => {
    expect((await cairn('anonymize', join(dir, 'in.csv'), '--out', join(dir, 'x.csv'))).stderr).toContain(
      'ANONYMIZE_KEY_MISSING',
    );
    const unset = await cairn(
      'anonymize',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'x.csv'),
      '--key-env',
      ENV,
    );
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(`${ENV} is not set`);
    const before = readFileSync(join(dir, 'in.csv'), 'utf8');
    const inPlace = await cairn(
      'anonymize',
      join(dir, 'in.csv'),
      '--out',
      join(dir, 'in.csv'),
      '--key-file',
      join(dir, 'key'),
    );
    expect(inPlace.code).toBe(2);
    expect(inPlace.stderr).toContain('ANONYMIZE_IN_PLACE');
    expect(readFileSync(join(dir, 'in.csv'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});
