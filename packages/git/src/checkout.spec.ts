import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { gitCli as gitAt, write as writeAt } from '../test/helpers';
import { checkoutCommitInto } from './index';

let dir: string;
const scratch: string[] = [];
const gitCli = (...args: string[]) => gitAt(dir, ...args);
const target = () => {
  const made = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-checkout-into-'));
  scratch.push(made);
  return made;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-checkout-'));
  gitCli('init', '-q', '-b', 'main');
  writeAt(dir, 'models/m/train.mjs', 'console.log(1);\n');
  writeAt(dir, 'run.sh', '#!/bin/sh\necho hi\n');
  fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
  fs.writeFileSync(path.join(dir, 'bytes.bin'), Buffer.from([0, 255, 10, 13, 128]));
  fs.symlinkSync('models/m/train.mjs', path.join(dir, 'link.mjs'));
  gitCli('add', '-A');
  gitCli('commit', '-qm', 'first');
  writeAt(dir, 'models/m/train.mjs', 'console.log(2);\n');
  gitCli('commit', '-qam', 'second');
});
afterAll(() => {
  for (const folder of [dir, ...scratch]) fs.rmSync(folder, { recursive: true, force: true });
});

describe('checkoutCommitInto', () => {
  it('writes the files of an older commit, bytes and executable bits as git has them, and lists symlinks', async () => {
    const first = gitCli('rev-parse', 'HEAD~1');
    const into = target();
    const result = await checkoutCommitInto(dir, first, into);
    expect(result).toEqual({ files: 3, skipped: ['link.mjs'] });
    expect(fs.readFileSync(path.join(into, 'models/m/train.mjs'), 'utf8')).toBe('console.log(1);\n');
    expect(fs.readFileSync(path.join(into, 'bytes.bin'))).toEqual(Buffer.from([0, 255, 10, 13, 128]));
    expect(fs.statSync(path.join(into, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(into, 'bytes.bin')).mode & 0o111).toBe(0);
    // The oracle: git's own listing of the commit's blobs.
    const listed = gitCli('ls-tree', '-r', '--name-only', first).split('\n').sort();
    const written = (fs.readdirSync(into, { recursive: true }) as string[])
      .filter((entry) => fs.statSync(path.join(into, entry)).isFile())
      .sort();
    expect(written).toEqual(listed.filter((name) => name !== 'link.mjs'));
  });

  it('refuses a crafted tree entry that would climb out of the target or into .git', async () => {
    for (const name of ['..', '.git']) {
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: 'x' })
        .toString()
        .trim();
      const tree = execFileSync('git', ['mktree'], { cwd: dir, input: `100644 blob ${blob}\t${name}\n` })
        .toString()
        .trim();
      const commit = gitCli('commit-tree', tree, '-m', 'crafted');
      const into = target();
      await expect(checkoutCommitInto(dir, commit, into)).rejects.toMatchObject({
        code: 'GIT_TREE_UNSAFE',
        data: { path: name },
      });
      expect(fs.readdirSync(into)).toEqual([]);
    }
  });
});
