import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { hashDirectory } from './directory';
import { hashBuffer } from './hash-file';
import { oraclePath } from '../../../tools/test-support/src';

const dvc = JSON.parse(readFileSync(oraclePath('dvc', 'hash_cases.json'), 'utf8')) as {
  dir_md5: { cases: Array<{ tree: Record<string, string>; md5: string; size?: number; nfiles?: number }> };
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-hash-dir-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function makeTree(files: Record<string, string>, order: string[] = Object.keys(files)): string {
  const dir = join(root, `tree-${counter++}`);
  mkdirSync(dir);
  for (const path of order) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), files[path]!);
  }
  return dir;
}

async function failureCode(
  promise: Promise<unknown>,
): Promise<{ code: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isCairnError(error)) return { code: error.code, data: error.data };
    throw error;
  }
  throw new Error('expected a failure');
}

/**
 * An independent transcription of the documented blake3 manifest format in
 * Python, with file hashes from the real b3sum: walk, sort by UTF-8 bytes,
 * one JSON line per file under a header, BLAKE3 of the bytes via b3sum.
 */
function pythonB3Oracle(dir: string): string {
  const script = `
import json, os, stat, subprocess, sys
root = sys.argv[1]
lines = ['{"format":"cairn-manifest","version":1,"algorithm":"blake3"}']
files = []
for base, dirs, names in os.walk(root):
    for name in names:
        full = os.path.join(base, name)
        files.append((os.path.relpath(full, root).replace(os.sep, '/'), full))
files.sort(key=lambda f: f[0].encode('utf-8'))
for rel, full in files:
    digest = subprocess.run(['b3sum', '--no-names', full], capture_output=True, check=True, text=True).stdout.strip()
    st = os.stat(full)
    lines.append(json.dumps({"path": rel, "hash": digest, "size": st.st_size, "executable": bool(st.st_mode & stat.S_IXUSR)}, separators=(',', ':'), ensure_ascii=False))
data = ('\\n'.join(lines) + '\\n').encode('utf-8')
print(subprocess.run(['b3sum', '--no-names'], input=data, capture_output=True, check=True).stdout.decode().strip() + '.dir')
`;
  return execFileSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' }).trim();
}

describe('hashDirectory', () => {
  it('md5 mode reproduces every DVC .dir hash (with size and nfiles)', async () => {
    for (const testCase of dvc.dir_md5.cases) {
      const result = await hashDirectory(makeTree(testCase.tree), { algorithm: 'md5' });
      expect(result.hash).toBe(testCase.md5);
      if (testCase.size !== undefined) expect(result.size).toBe(testCase.size);
      if (testCase.nfiles !== undefined) expect(result.nfiles).toBe(testCase.nfiles);
    }
  });

  it('blake3 mode equals an independent Python + b3sum transcription of the format', async () => {
    const dir = makeTree({
      'a.csv': 'x,y\n1,2\n',
      'sub/deeper/é 🙂.txt': 'unicode name',
      'sub/B': '',
      'z"q': 'quote',
    });
    chmodSync(join(dir, 'sub/B'), 0o755);
    const result = await hashDirectory(dir);
    expect(result.hash).toBe(pythonB3Oracle(dir));
    expect(result.hash).toBe(`${hashBuffer(result.manifest)}.dir`);
    expect(result.entries.map((e) => e.path)).toEqual(['a.csv', 'sub/B', 'sub/deeper/é 🙂.txt', 'z"q']);
    expect(result.entries[1]!.executable).toBe(true);
    expect(result.nfiles).toBe(4);
    expect(result.size).toBe(8 + 12 + 0 + 5);
  });

  it('does not depend on creation order, timestamps or location', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`d${i % 7}/f${i}.txt`] = `content ${i}`;
    const keys = Object.keys(files);
    const a = makeTree(files, keys);
    const b = makeTree(files, [...keys].reverse());
    utimesSync(join(b, 'd0/f0.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const [ha, hb, hSequential] = await Promise.all([
      hashDirectory(a),
      hashDirectory(b),
      hashDirectory(b, { concurrency: 1 }),
    ]);
    expect(hb.hash).toBe(ha.hash);
    expect(hSequential.hash).toBe(ha.hash);
    expect(hb.manifest.equals(ha.manifest)).toBe(true);
  });

  it("the owner's executable bit changes the hash; content unchanged", async () => {
    const dir = makeTree({ 'run.sh': 'echo hi\n', 'data.csv': 'a\n' });
    const before = await hashDirectory(dir);
    chmodSync(join(dir, 'run.sh'), 0o744);
    const after = await hashDirectory(dir);
    expect(after.hash).not.toBe(before.hash);
    expect(after.entries.find((e) => e.path === 'run.sh')!.hash).toBe(
      before.entries.find((e) => e.path === 'run.sh')!.hash,
    );
    chmodSync(join(dir, 'run.sh'), 0o644);
    expect((await hashDirectory(dir)).hash).toBe(before.hash);
    // md5 mode follows DVC, which ignores modes.
    const md5Before = await hashDirectory(dir, { algorithm: 'md5' });
    chmodSync(join(dir, 'run.sh'), 0o755);
    expect((await hashDirectory(dir, { algorithm: 'md5' })).hash).toBe(md5Before.hash);
  });

  it('hashes a symlink to a file inside the tree as that content, under the link path', async () => {
    const dir = makeTree({ 'real/data.bin': 'payload' });
    symlinkSync('real/data.bin', join(dir, 'link.bin'));
    mkdirSync(join(dir, 'nested'));
    symlinkSync('../real/data.bin', join(dir, 'nested', 'up-and-back'));
    const result = await hashDirectory(dir);
    expect(result.entries.map((e) => e.path)).toEqual(['link.bin', 'nested/up-and-back', 'real/data.bin']);
    expect(new Set(result.entries.map((e) => e.hash))).toEqual(new Set([hashBuffer('payload')]));
  });

  it('never follows a symlink out of the tree, and rejects dangling and directory links', async () => {
    const outside = makeTree({ 'secret.txt': 'outside' });
    const escaping = makeTree({ 'ok.txt': 'ok' });
    symlinkSync(join(outside, 'secret.txt'), join(escaping, 'escape'));
    const escaped = await failureCode(hashDirectory(escaping));
    expect(escaped.code).toBe('HASH_SYMLINK_OUTSIDE_TREE');
    expect(escaped.data.path).toBe(join(escaping, 'escape'));

    const relativeEscape = makeTree({ 'ok.txt': 'ok' });
    symlinkSync('../' + outside.split('/').pop() + '/secret.txt', join(relativeEscape, 'rel'));
    expect((await failureCode(hashDirectory(relativeEscape))).code).toBe('HASH_SYMLINK_OUTSIDE_TREE');

    const dangling = makeTree({ 'ok.txt': 'ok' });
    symlinkSync('nowhere', join(dangling, 'gone'));
    const danglingFailure = await failureCode(hashDirectory(dangling));
    expect(danglingFailure.code).toBe('HASH_SYMLINK_DANGLING');
    expect(danglingFailure.data.path).toBe(join(dangling, 'gone'));

    const loop = makeTree({ 'ok.txt': 'ok' });
    symlinkSync('self', join(loop, 'self'));
    expect((await failureCode(hashDirectory(loop))).code).toBe('HASH_SYMLINK_DANGLING');

    const toDir = makeTree({ 'sub/ok.txt': 'ok' });
    symlinkSync('sub', join(toDir, 'alias'));
    expect((await failureCode(hashDirectory(toDir))).code).toBe('HASH_SYMLINK_TO_DIRECTORY');
  });

  it('names sockets and FIFOs as special files', async () => {
    const withFifo = makeTree({ 'ok.txt': 'ok' });
    execFileSync('mkfifo', [join(withFifo, 'pipe')]);
    const fifoFailure = await failureCode(hashDirectory(withFifo));
    expect(fifoFailure).toMatchObject({
      code: 'HASH_SPECIAL_FILE',
      data: { path: join(withFifo, 'pipe') },
    });

    const withSocket = makeTree({ 'ok.txt': 'ok' });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(join(withSocket, 'sock'), resolve));
    try {
      expect(await failureCode(hashDirectory(withSocket))).toMatchObject({
        code: 'HASH_SPECIAL_FILE',
        data: { path: join(withSocket, 'sock') },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('skips ignored files and directories, and ignores empty directories', async () => {
    const dir = makeTree({ 'keep.txt': 'k', '.git/config': 'x', 'logs/a.log': 'l', 'sub/keep2.txt': 'k2' });
    mkdirSync(join(dir, 'empty'));
    const result = await hashDirectory(dir, { ignore: (path) => path === '.git' || path.endsWith('.log') });
    expect(result.entries.map((e) => e.path)).toEqual(['keep.txt', 'sub/keep2.txt']);
    const bare = makeTree({ 'keep.txt': 'k', 'sub/keep2.txt': 'k2' });
    expect((await hashDirectory(bare)).hash).toBe(result.hash);
  });

  it('reports progress up to the file count', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`f${i}`] = String(i);
    const seen: Array<[number, number]> = [];
    await hashDirectory(makeTree(files), { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.at(-1)).toEqual([40, 40]);
    expect(seen.every(([done, total], i) => total === 40 && (i === 0 || done >= seen[i - 1]![0]))).toBe(true);
  });

  it('rejects a file name that is not UTF-8', async () => {
    const dir = makeTree({ 'ok.txt': 'ok' });
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
    expect((await failureCode(hashDirectory(dir))).code).toBe('HASH_PATH_NOT_UTF8');
  });

  it('rejects a missing path and a file with clear codes', async () => {
    expect((await failureCode(hashDirectory(join(root, 'missing')))).code).toBe('PATH_NOT_FOUND');
    const dir = makeTree({ f: 'x' });
    expect((await failureCode(hashDirectory(join(dir, 'f')))).code).toBe('HASH_NOT_A_DIRECTORY');
  });
});
