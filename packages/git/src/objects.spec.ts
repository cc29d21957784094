import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCli } from '../test/helpers';
import {
  commitFiles,
  compareAndSwapRef,
  firstParentLog,
  listTreeAtCommit,
  readRef,
  readTextAtCommit,
} from './index';

let dir: string;
const author = { name: 'Ana', email: 'ana@example.org', timestamp: 1_767_225_600 };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-git-objects-'));
  gitCli(dir, 'init', '-q', '-b', 'main');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('commits off any branch and compare-and-swap on refs, checked with the git CLI', () => {
  it('writes nested files into a commit git reads back, keeping the parent’s other files', async () => {
    const first = await commitFiles(dir, {
      files: { 'a/b/c.json': '{"x":1}\n', 'top.txt': 'top\n' },
      message: 'one',
      author,
    });
    const second = await commitFiles(dir, {
      parent: first,
      files: { 'a/d.txt': 'd\n' },
      message: 'two',
      author,
    });
    expect(gitCli(dir, 'show', `${second}:a/b/c.json`)).toBe('{"x":1}');
    expect(gitCli(dir, 'ls-tree', '-r', '--name-only', second).split('\n')).toEqual([
      'a/b/c.json',
      'a/d.txt',
      'top.txt',
    ]);
    expect(gitCli(dir, 'log', '--format=%an <%ae> %at %s', second).split('\n')).toEqual([
      `Ana <ana@example.org> ${author.timestamp} two`,
      `Ana <ana@example.org> ${author.timestamp} one`,
    ]);
    gitCli(dir, 'fsck', '--strict', '--no-progress');
    expect(await readTextAtCommit(dir, second, 'a/d.txt')).toBe('d\n');
    expect(await readTextAtCommit(dir, second, 'a/missing')).toBeUndefined();
    expect(await listTreeAtCommit(dir, second, 'a')).toEqual(['b', 'd.txt']);
    expect((await firstParentLog(dir, second)).map((c) => c.oid)).toEqual([second, first]);
    await expect(
      commitFiles(dir, { files: { '../escape': 'x' }, message: 'bad', author }),
    ).rejects.toMatchObject({ code: 'GIT_PATH_OUTSIDE_REPOSITORY' });
  });

  it('swaps only from the expected value, honours a held lock and reads packed refs', async () => {
    const one = await commitFiles(dir, { files: { f: '1' }, message: '1', author });
    const two = await commitFiles(dir, { parent: one, files: { f: '2' }, message: '2', author });
    const ref = 'refs/cairn/test';
    expect(await readRef(dir, ref)).toBeUndefined();
    expect(await compareAndSwapRef(dir, ref, one, two)).toBe(false);
    expect(await compareAndSwapRef(dir, ref, undefined, one)).toBe(true);
    expect(await compareAndSwapRef(dir, ref, undefined, two)).toBe(false);
    expect(gitCli(dir, 'rev-parse', ref)).toBe(one);
    // git update-ref holds the same lock file: while it is held, nobody swaps.
    const lock = path.join(dir, '.git', ref + '.lock');
    fs.writeFileSync(lock, '');
    expect(await compareAndSwapRef(dir, ref, one, two)).toBe(false);
    expect(() => gitCli(dir, 'update-ref', ref, two, one)).toThrow();
    fs.rmSync(lock);
    gitCli(dir, 'pack-refs', '--all');
    expect(fs.existsSync(path.join(dir, '.git', ref))).toBe(false);
    expect(await readRef(dir, ref)).toBe(one);
    expect(await compareAndSwapRef(dir, ref, one, two)).toBe(true);
    expect(gitCli(dir, 'rev-parse', ref)).toBe(two);
    for (const bad of ['refs/../x', 'HEAD', 'refs/a/.hidden', 'refs/x.lock']) {
      await expect(compareAndSwapRef(dir, bad, undefined, two)).rejects.toMatchObject({
        code: 'GIT_REF_INVALID',
      });
    }
  });
});
