import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashDirectory } from '@cairn/hash';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-hash-'));
  writeFileSync(join(dir, 'plain.csv'), 'a,b\n1,2\n');
  writeFileSync(join(dir, 'back\\slash'), 'backslash in the name');
  writeFileSync(join(dir, 'new\nline'), 'newline in the name');
  writeFileSync(join(dir, 'empty'), '');
  mkdirSync(join(dir, 'data/sub'), { recursive: true });
  writeFileSync(join(dir, 'data/x.txt'), 'x');
  writeFileSync(join(dir, 'data/sub/y.txt'), 'y');
  for (let i = 0; i < 30; i++) writeFileSync(join(dir, `many-${i}.txt`), `file ${i}\n`.repeat(i * 50));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(sumsDir, { recursive: true, force: true });
});

const cairn = (...args: string[]) => runCli(args, { cwd: dir });

const sumsDir = mkdtempSync(join(tmpdir(), 'cairn-cli-hash-sums-'));
let checks = 0;
function check(tool: 'b3sum' | 'md5sum', sums: string): string {
  // Outside the hashed folder, so the sums file is not itself hashed.
  const file = join(sumsDir, `${tool}-${(checks += 1)}.sums`);
  writeFileSync(file, sums);
  try {
    return execFileSync(tool, ['--check', file], { cwd: dir, encoding: 'utf8' });
  } finally {
    rmSync(file, { force: true });
  }
}

describe('cairn hash', () => {
  it('prints b3sum lines that the real `b3sum --check` accepts, with escaped names', async () => {
    const files = ['plain.csv', 'back\\slash', 'new\nline', 'empty'];
    const { code, stdout } = await cairn('hash', ...files);
    expect(code).toBe(0);
    expect(stdout).toBe(execFileSync('b3sum', files, { cwd: dir, encoding: 'utf8' }));
    const verdict = check('b3sum', stdout);
    expect(verdict.match(/: OK$/gm)).toHaveLength(4);
  });

  it('hashes many files in parallel, still accepted by b3sum --check, in argument order', async () => {
    const files = Array.from({ length: 30 }, (_, i) => `many-${29 - i}.txt`);
    const { code, stdout } = await cairn('hash', ...files);
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.slice(66)),
    ).toEqual(files);
    expect(check('b3sum', stdout).match(/: OK$/gm)).toHaveLength(30);
  });

  it('prints <hex>.dir for a directory, equal to hashDirectory', async () => {
    const { stdout } = await cairn('hash', 'data', 'plain.csv');
    const [dirLine, fileLine] = stdout.trim().split('\n');
    expect(dirLine).toBe(`${(await hashDirectory(join(dir, 'data'))).hash}  data`);
    expect(check('b3sum', `${fileLine}\n`)).toContain('plain.csv: OK');
  });

  it('--md5 matches md5sum --check for files and DVC .dir hashes for directories', async () => {
    const { stdout } = await cairn('hash', '--md5', 'plain.csv', 'back\\slash', 'data');
    const lines = stdout.trim().split('\n');
    expect(check('md5sum', `${lines.slice(0, 2).join('\n')}\n`).match(/: OK$/gm)).toHaveLength(2);
    expect(lines[2]).toBe(`${(await hashDirectory(join(dir, 'data'), { algorithm: 'md5' })).hash}  data`);
  });

  it('--json gives path, type, hash, size and nfiles', async () => {
    const { stdout } = await cairn('hash', '--json', 'plain.csv', 'data');
    const parsed = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(parsed[0]).toMatchObject({ path: 'plain.csv', type: 'file', size: 8, algorithm: 'blake3' });
    expect(parsed[0]!.hash).toBe(
      execFileSync('b3sum', ['--no-names', 'plain.csv'], { cwd: dir, encoding: 'utf8' }).trim(),
    );
    expect(parsed[1]).toMatchObject({ path: 'data', type: 'directory', size: 2, nfiles: 2 });
  });

  it('exits 2 naming a missing path', async () => {
    const { code, stderr } = await cairn('hash', 'plain.csv', 'nope.bin');
    expect(code).toBe(2);
    expect(stderr).toContain('PATH_NOT_FOUND');
    expect(stderr).toContain('nope.bin');
  });
});
