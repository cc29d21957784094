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
  openRepository,
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

  it('swaps commits made by commitFiles only from the expected value, honours a held lock and reads packed refs', async () => {
    const repository = openRepository(dir);
    const one = await commitFiles(dir, { files: { f: '1' }, message: '1', author });
    const two = await commitFiles(dir, { parent: one, files: { f: '2' }, message: '2', author });
    const ref = 'refs/cairn/test';
    expect(readRef(repository, ref)).toBeUndefined();
    expect(await compareAndSwapRef(repository, ref, two, one)).toBe(false);
    expect(await compareAndSwapRef(repository, ref, one, undefined)).toBe(true);
    expect(await compareAndSwapRef(repository, ref, two, undefined)).toBe(false);
    expect(gitCli(dir, 'rev-parse', ref)).toBe(one);
    // git update-ref holds the same lock file: while it is held, nobody swaps, and a lock
    // that stays is reported rather than waited on for ever.
    const lock = path.join(dir, '.git', ref + '.lock');
    fs.writeFileSync(lock, '');
    await expect(compareAndSwapRef(repository, ref, two, one)).rejects.toMatchObject({
      code: 'GIT_REF_LOCKED',
    });
    expect(() => gitCli(dir, 'update-ref', ref, two, one)).toThrow();
    fs.rmSync(lock);
    gitCli(dir, 'pack-refs', '--all');
    expect(fs.existsSync(path.join(dir, '.git', ref))).toBe(false);
    expect(readRef(repository, ref)).toBe(one);
    expect(await compareAndSwapRef(repository, ref, two, one)).toBe(true);
    expect(gitCli(dir, 'rev-parse', ref)).toBe(two);
    await expect(compareAndSwapRef(repository, ref, 'not-an-id', two)).rejects.toMatchObject({
      code: 'GIT_REF_INVALID',
    });
  });
});
