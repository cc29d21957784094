import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCli, write } from '../test/helpers';
import { findRepository, gitHead, listRefs, readFileAtRef, TreeWalker } from './index';

let dir: string;
let worktree: string;

beforeAll(() => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-git-refs-'));
  dir = path.join(base, 'main');
  worktree = path.join(base, 'linked');
  fs.mkdirSync(dir);
  gitCli(dir, 'init', '-q', '-b', 'main');
  write(dir, 'a/one.txt', 'one v1\n');
  write(dir, 'b/two.txt', 'two\n');
  gitCli(dir, 'add', '-A');
  gitCli(dir, 'commit', '-qm', 'first');
  gitCli(dir, 'tag', 'v1');
  gitCli(dir, 'notes', 'add', '-m', 'a note', 'HEAD');
  // Two stash entries: only the reflog remembers the older one.
  write(dir, 'a/one.txt', 'stashed 1\n');
  gitCli(dir, 'stash', 'push', '-q');
  write(dir, 'a/one.txt', 'stashed 2\n');
  gitCli(dir, 'stash', 'push', '-q');
  gitCli(dir, 'worktree', 'add', '-q', '-b', 'side', worktree);
  write(worktree, 'a/one.txt', 'side v2\n');
  gitCli(worktree, 'commit', '-qam', 'side change');
});

afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

describe('repositories and refs, checked against the git CLI', () => {
  it('finds a linked worktree’s own HEAD and the shared git dir', async () => {
    const repository = findRepository(path.join(worktree, 'a'))!;
    expect(repository.dir).toBe(worktree);
    expect(fs.realpathSync(repository.gitdir)).toBe(
      fs.realpathSync(path.resolve(worktree, gitCli(worktree, 'rev-parse', '--git-common-dir'))),
    );
    expect(await gitHead(worktree)).toEqual({ commit: gitCli(worktree, 'rev-parse', 'HEAD') });
    expect(await gitHead(dir)).toEqual({ commit: gitCli(dir, 'rev-parse', 'HEAD') });
    expect(await readFileAtRef(worktree, 'HEAD', 'a/one.txt')).toBe('side v2\n');
    expect(await readFileAtRef(dir, 'HEAD', 'a/one.txt')).toBe('one v1\n');
    expect(await readFileAtRef(dir, 'side', 'a/one.txt')).toBe('side v2\n');
    expect(findRepository(os.tmpdir() === '/' ? '/' : path.parse(os.tmpdir()).root)).toBeUndefined();
  });

  it('lists HEAD, every ref and every stash entry with the commit git names', async () => {
    const roots = await listRefs(findRepository(dir)!);
    const expected = new Map<string, string>([['HEAD', gitCli(dir, 'rev-parse', 'HEAD')]]);
    for (const line of gitCli(dir, 'for-each-ref', '--format=%(refname) %(objectname)').split('\n')) {
      const [name, oid] = line.split(' ');
      expected.set(name!, oid!);
    }
    gitCli(dir, 'reflog', 'show', '--format=%H', 'refs/stash')
      .split('\n')
      .forEach((oid, index) => expected.set(`refs/stash@{${index}}`, oid));
    expect(new Map(roots.map((root) => [root.name, root.oid]))).toEqual(expected);
    expect(roots.filter((root) => root.kind === 'stash').map((root) => root.name)).toEqual([
      'refs/stash',
      'refs/stash@{0}',
      'refs/stash@{1}',
    ]);
    expect(roots.find((root) => root.kind === 'notes')?.name).toBe('refs/notes/commits');
  });

  it('walks each tree and each selected blob once across refs that share history', async () => {
    const repository = findRepository(dir)!;
    const walker = new TreeWalker(repository);
    const seen: string[] = [];
    for (const ref of ['main', 'v1', 'side']) {
      const oid = gitCli(dir, 'rev-parse', ref);
      await walker.walk(
        ref,
        oid,
        (file) => file.endsWith('.txt'),
        async (blob) => {
          seen.push(`${blob.source}=${(await walker.readText(blob.oid)).trim()}`);
        },
      );
    }
    // v1 is main's commit: nothing new; side shares b/ with main and changes a/one.txt.
    expect(seen.sort()).toEqual(['main:a/one.txt=one v1', 'main:b/two.txt=two', 'side:a/one.txt=side v2']);
    const stash = gitCli(dir, 'rev-parse', 'refs/stash');
    expect(await walker.parents(stash)).toEqual(
      gitCli(dir, 'rev-list', '--parents', '-n', '1', stash).split(' ').slice(1),
    );
  });
});
