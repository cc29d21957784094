import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCli as gitAt, write as writeAt } from '../test/helpers';
import { mergeBase, readFileAtRef, resolveCommit } from './index';

let dir: string;
const sha: Record<string, string> = {};

const gitCli = (...args: string[]) => gitAt(dir, ...args);
const write = (file: string, text: string) => writeAt(dir, file, text);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-eval-git-'));
  gitCli('init', '-q', '-b', 'main');
  write('models/iris/metrics.json', '{"accuracy": 0.9}\n');
  gitCli('add', '.');
  gitCli('commit', '-q', '-m', 'first');
  sha.first = gitCli('rev-parse', 'HEAD');
  gitCli('tag', '-a', 'v1', '-m', 'release 1');
  gitCli('tag', 'light');
  write('models/iris/metrics.json', '{"accuracy": 0.95}\n');
  gitCli('commit', '-q', '-am', 'second');
  sha.second = gitCli('rev-parse', 'HEAD');
  gitCli('checkout', '-q', '-b', 'feature');
  write('models/iris/metrics.json', '{"accuracy": 0.97}\n');
  write('models/new/metrics.json', '{"accuracy": 0.5}\n');
  gitCli('add', '.');
  gitCli('commit', '-q', '-m', 'feature work');
  sha.feature = gitCli('rev-parse', 'HEAD');
  gitCli('checkout', '-q', 'main');
  write('README.md', 'main moves on\n');
  gitCli('add', '.');
  gitCli('commit', '-q', '-m', 'main moves');
  sha.main = gitCli('rev-parse', 'HEAD');
  gitCli('checkout', '-q', '--orphan', 'lonely');
  gitCli('rm', '-rq', '--cached', '.');
  write('other.txt', 'unrelated history\n');
  gitCli('add', 'other.txt');
  gitCli('commit', '-q', '-m', 'unrelated root');
  gitCli('checkout', '-q', '-f', 'main');
  // an uncommitted change in the working tree must not be what we read
  write('models/iris/metrics.json', '{"accuracy": 0.1}\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readFileAtRef', () => {
  it('reads a file as committed at branches, tags, full and short SHAs and ~N', async () => {
    const file = 'models/iris/metrics.json';
    expect(await readFileAtRef(dir, 'main', file)).toBe('{"accuracy": 0.95}\n');
    expect(await readFileAtRef(dir, 'feature', file)).toBe('{"accuracy": 0.97}\n');
    expect(await readFileAtRef(dir, 'v1', file)).toBe('{"accuracy": 0.9}\n');
    expect(await readFileAtRef(dir, 'light', file)).toBe('{"accuracy": 0.9}\n');
    expect(await readFileAtRef(dir, sha.first!, file)).toBe('{"accuracy": 0.9}\n');
    expect(await readFileAtRef(dir, sha.second!.slice(0, 8), file)).toBe('{"accuracy": 0.95}\n');
    expect(await readFileAtRef(dir, 'HEAD~2', file)).toBe('{"accuracy": 0.9}\n');
    expect(await readFileAtRef(dir, 'main^', file)).toBe('{"accuracy": 0.95}\n');
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe('{"accuracy": 0.1}\n');
  });

  it('resolves paths relative to a subdirectory of the repo and absolute paths', async () => {
    expect(await readFileAtRef(path.join(dir, 'models'), 'main', 'iris/metrics.json')).toBe(
      '{"accuracy": 0.95}\n',
    );
    expect(await readFileAtRef(dir, 'main', path.join(dir, 'models/iris/metrics.json'))).toBe(
      '{"accuracy": 0.95}\n',
    );
  });

  it('undefined when the file does not exist at that ref', async () => {
    expect(await readFileAtRef(dir, 'main', 'models/new/metrics.json')).toBeUndefined();
    expect(await readFileAtRef(dir, 'feature', 'models/new/metrics.json')).toBe('{"accuracy": 0.5}\n');
    expect(await readFileAtRef(dir, 'main', 'models/iris')).toBeUndefined();
  });

  it('CairnError for refs that do not exist, and outside a repository', async () => {
    for (const ref of ['no-such-branch', 'deadbeef', '0'.repeat(40), 'HEAD~10']) {
      await expect(readFileAtRef(dir, ref, 'models/iris/metrics.json')).rejects.toMatchObject({
        code: 'GIT_REF_NOT_FOUND',
      });
    }
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-eval-nogit-'));
    try {
      await expect(readFileAtRef(outside, 'main', 'x')).rejects.toMatchObject({
        code: 'GIT_NOT_A_REPOSITORY',
      });
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('mergeBase', () => {
  it('agrees with `git merge-base`', async () => {
    expect(await mergeBase(dir, 'main', 'feature')).toBe(gitCli('merge-base', 'main', 'feature'));
    expect(await mergeBase(dir, 'main', 'feature')).toBe(sha.second);
    expect(await mergeBase(dir, 'v1', 'feature')).toBe(sha.first);
    expect(await resolveCommit(dir, 'v1')).toBe(sha.first);
  });

  it('GIT_NO_MERGE_BASE for unrelated histories', async () => {
    await expect(mergeBase(dir, 'main', 'lonely')).rejects.toMatchObject({
      code: 'GIT_NO_MERGE_BASE',
    });
  });
});
