import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsChild } from '../../../tools/test-support/src/ts-child';
import { gitCli } from '../test/helpers';
import {
  compareAndSwapRef,
  deleteRefIf,
  listRefsSnapshot,
  listRefsUnder,
  openRepository,
  readRecordCommit,
  readRef,
  worktreeChanges,
  writeRecordCommit,
} from './index';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-git-records-'));
  gitCli(dir, 'init', '-q', '-b', 'main');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('record commits and refs, checked against the git CLI', () => {
  it('writes commits git reads back byte for byte, and fsck accepts', async () => {
    const repository = openRepository(dir);
    const body = JSON.stringify({ a: 1, text: 'ünïcode\nlines' });
    const oid = writeRecordCommit(repository, 'cairn exp one', body, new Date('2024-01-02T03:04:05Z'));
    expect(gitCli(dir, 'cat-file', '-t', oid)).toBe('commit');
    expect(gitCli(dir, 'log', '-1', '--format=%s%n%b', oid)).toBe(`cairn exp one\n${body}`);
    expect(gitCli(dir, 'log', '-1', '--format=%at', oid)).toBe(
      String(Date.parse('2024-01-02T03:04:05Z') / 1000),
    );
    expect(await readRecordCommit(repository, oid)).toBe(`${body}\n`);
    expect(await compareAndSwapRef(repository, 'refs/cairn/test/one', oid, undefined)).toBe(true);
    expect(gitCli(dir, 'rev-parse', 'refs/cairn/test/one')).toBe(oid);
    gitCli(dir, 'fsck', '--strict', '--no-dangling');
    // once git packs it, the object is read from the pack
    gitCli(dir, 'repack', '-adq');
    gitCli(dir, 'prune-packed');
    expect(fs.existsSync(path.join(dir, '.git/objects', oid.slice(0, 2), oid.slice(2)))).toBe(false);
    expect(await readRecordCommit(repository, oid)).toBe(`${body}\n`);
    // the same content is the same object: writing it again is a no-op
    expect(writeRecordCommit(repository, 'cairn exp one', body, new Date('2024-01-02T03:04:05Z'))).toBe(oid);
    expect(() => writeRecordCommit(repository, 'two\nlines', body, new Date())).toThrow(
      expect.objectContaining({ code: 'GIT_RECORD_INVALID' }),
    );
  });

  it('compare-and-swap refuses a stale expectation and an existing ref, and deletes only what it expects', async () => {
    const repository = openRepository(dir);
    const a = writeRecordCommit(repository, 'a', 'a', new Date(0));
    const b = writeRecordCommit(repository, 'b', 'b', new Date(0));
    expect(await compareAndSwapRef(repository, 'refs/cairn/test/cas', a, undefined)).toBe(true);
    expect(await compareAndSwapRef(repository, 'refs/cairn/test/cas', b, undefined)).toBe(false);
    expect(await compareAndSwapRef(repository, 'refs/cairn/test/cas', b, b)).toBe(false);
    expect(readRef(repository, 'refs/cairn/test/cas')).toBe(a);
    expect(await compareAndSwapRef(repository, 'refs/cairn/test/cas', b, a)).toBe(true);
    expect(gitCli(dir, 'rev-parse', 'refs/cairn/test/cas')).toBe(b);
    expect(await deleteRefIf(repository, 'refs/cairn/test/cas', a)).toBe(false);
    expect(await deleteRefIf(repository, 'refs/cairn/test/cas', b)).toBe(true);
    expect(gitCli(dir, 'for-each-ref', 'refs/cairn/test/cas')).toBe('');
    for (const bad of ['refs/../HEAD', 'refs/x/.hidden', 'refs/x.lock', 'HEAD', 'refs/a b', 'refs/x/']) {
      await expect(compareAndSwapRef(repository, bad, a, undefined)).rejects.toMatchObject({
        code: 'GIT_REF_INVALID',
      });
    }
  });

  it('lists and deletes packed refs as git packed them, and waits on a held lock', async () => {
    const repository = openRepository(dir);
    const c = writeRecordCommit(repository, 'c', 'c', new Date(0));
    const d = writeRecordCommit(repository, 'd', 'd', new Date(0));
    await compareAndSwapRef(repository, 'refs/cairn/packed/c', c, undefined);
    await compareAndSwapRef(repository, 'refs/cairn/packed/d', d, undefined);
    gitCli(dir, 'pack-refs', '--all');
    expect(fs.existsSync(path.join(dir, '.git/refs/cairn/packed/c'))).toBe(false);
    expect(listRefsUnder(repository, 'refs/cairn/packed/')).toEqual(
      new Map([
        ['refs/cairn/packed/c', c],
        ['refs/cairn/packed/d', d],
      ]),
    );
    expect(await deleteRefIf(repository, 'refs/cairn/packed/c', c)).toBe(true);
    expect(gitCli(dir, 'for-each-ref', '--format=%(refname)', 'refs/cairn/packed')).toBe(
      'refs/cairn/packed/d',
    );
    gitCli(dir, 'fsck', '--strict');
    // a lock held by "git" (here: a file) makes the writer wait, then fail with a code
    const lock = path.join(dir, '.git/refs/cairn/packed/d.lock');
    fs.writeFileSync(lock, '');
    await expect(compareAndSwapRef(repository, 'refs/cairn/packed/d', c, d)).rejects.toMatchObject({
      code: 'GIT_REF_LOCKED',
    });
    fs.rmSync(lock);
    expect(await compareAndSwapRef(repository, 'refs/cairn/packed/d', c, d)).toBe(true);
  }, 30_000);

  it('8 processes incrementing one ref through compare-and-swap lose no update', async () => {
    const ref = 'refs/cairn/test/counter';
    const goFile = path.join(dir, 'go');
    const children = Array.from({ length: 8 }, () =>
      spawnTsChild(path.join(__dirname, '..', 'test', 'cas-child.ts'), [dir, ref, '10', goFile]),
    );
    await Promise.all(children.map((child) => child.ready));
    fs.writeFileSync(goFile, '');
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });
    const repository = openRepository(dir);
    expect(await readRecordCommit(repository, readRef(repository, ref)!)).toBe('80\n');
    // contention really happened: some swaps lost and retried
    const retries = exits.reduce((sum, exit) => sum + Number(/retries (\d+)/.exec(exit.stdout)![1]), 0);
    console.log(`cas contention: ${retries} retries for 80 increments`);
  }, 60_000);

  it('names the files changed since HEAD under given folders, as git status does', async () => {
    fs.mkdirSync(path.join(dir, 'model'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'model/train.py'), 'v1\n');
    fs.writeFileSync(path.join(dir, 'model/keep.py'), 'same\n');
    fs.writeFileSync(path.join(dir, 'other.txt'), 'x\n');
    gitCli(dir, 'add', '-A');
    gitCli(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'code');
    expect(await worktreeChanges(dir, ['model'])).toEqual([]);
    fs.writeFileSync(path.join(dir, 'model/train.py'), 'v2\n');
    fs.writeFileSync(path.join(dir, 'model/new.py'), 'new\n');
    fs.writeFileSync(path.join(dir, 'other.txt'), 'changed outside\n');
    expect(await worktreeChanges(dir, ['model'])).toEqual(['model/new.py', 'model/train.py']);
  });

  it('a ref snapshot trusts only folders unchanged since a settled listing, and always sees git’s writes', async () => {
    const repository = openRepository(dir);
    const [a, b, c] = ['sa', 'sb', 'sc'].map((text) =>
      writeRecordCommit(repository, text, text, new Date(0)),
    );
    await compareAndSwapRef(repository, 'refs/cairn/snap/p/one', a!, undefined);
    await compareAndSwapRef(repository, 'refs/cairn/snap/q/two', b!, undefined);
    const folders = ['refs/cairn/snap', 'refs/cairn/snap/p', 'refs/cairn/snap/q'].map((f) =>
      path.join(dir, '.git', f),
    );
    // one fixed time a minute back: folders "settled" long before any listing
    const settledAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const settle = () => folders.forEach((folder) => fs.utimesSync(folder, settledAt, settledAt));
    const gitRefs = () =>
      new Map(
        gitCli(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/cairn/snap')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' ') as [string, string]),
      );
    settle();
    const first = listRefsSnapshot(repository, 'refs/cairn/snap/');
    expect(first.refs).toEqual(gitRefs());
    // nothing changed: no folder is read, and the answer is the same
    const second = listRefsSnapshot(repository, 'refs/cairn/snap/', first.snapshot);
    expect(second.foldersRead).toBe(0);
    expect(second.refs).toEqual(gitRefs());
    // proof that trusted folders are not read: an in-place edit that keeps the folder's mtime goes unseen
    const oneFile = path.join(dir, '.git/refs/cairn/snap/p/one');
    fs.writeFileSync(oneFile, `${c}\n`);
    settle();
    expect(
      listRefsSnapshot(repository, 'refs/cairn/snap/', second.snapshot).refs.get('refs/cairn/snap/p/one'),
    ).toBe(a);
    fs.writeFileSync(oneFile, `${a}\n`);
    settle();
    // git's own writes (update-ref renames a lock over the ref) change the folder: seen at once
    gitCli(dir, 'update-ref', 'refs/cairn/snap/p/one', c!);
    gitCli(dir, 'update-ref', 'refs/cairn/snap/q/three', a!);
    gitCli(dir, 'update-ref', '-d', 'refs/cairn/snap/q/two');
    const third = listRefsSnapshot(repository, 'refs/cairn/snap/', second.snapshot);
    expect(third.foldersRead).toBeGreaterThan(0);
    expect(third.refs).toEqual(gitRefs());
    // right after a change the folder is too fresh to trust, so a second change in the same tick is seen too
    gitCli(dir, 'update-ref', 'refs/cairn/snap/q/three', b!);
    expect(listRefsSnapshot(repository, 'refs/cairn/snap/', third.snapshot).refs).toEqual(gitRefs());
    expect(listRefsUnder(repository, 'refs/cairn/snap/')).toEqual(gitRefs());
  });
});
