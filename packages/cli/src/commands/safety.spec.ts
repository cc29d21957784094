// End-to-end through the CLI: a pointer that would plant a git hook, a corrupt stored object (with and
// without a data remote holding a good copy), and an edit of a checked-out file as root.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workspaceObjectPath } from '@cairn/store';
import { runCli } from '../../test/run-cli';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cairn-cli-safety-${prefix}-`));
  dirs.push(dir);
  return dir;
}

const cairn = (cwd: string, ...args: string[]) => runCli(args, { cwd });

/** A workspace with a sentinel .git/hooks and a stored shell script (the would-be hook). */
async function workspace(): Promise<{ root: string; payloadHash: string }> {
  const root = tempDir('ws');
  mkdirSync(join(root, '.git', 'hooks'), { recursive: true });
  writeFileSync(join(root, '.git', 'hooks', 'pre-commit.sample'), 'sentinel\n');
  expect((await cairn(root, 'init')).code).toBe(0);
  writeFileSync(join(root, 'payload.sh'), '#!/bin/sh\ntouch /tmp/cairn-hook-ran\n');
  const added = await cairn(root, 'add', 'payload.sh', '--json');
  const [{ hash }] = JSON.parse(added.stdout) as [{ hash: string }];
  rmSync(join(root, 'payload.sh'));
  rmSync(join(root, 'payload.sh.cairn'));
  return { root, payloadHash: hash };
}

function flipByte(file: string): void {
  chmodSync(file, 0o644);
  const content = readFileSync(file);
  content[0] = content[0]! ^ 0xff;
  writeFileSync(file, content);
  chmodSync(file, 0o444);
}

describe('cairn checkout refuses hostile pointers', () => {
  it('a pointer planting a git hook: exit 2, coded error naming the file and field, no hook written', async () => {
    const { root, payloadHash } = await workspace();
    const pointer = {
      version: 1,
      algorithm: 'blake3',
      hash: payloadHash,
      size: 36,
      path: '.git/hooks/pre-commit',
    };
    writeFileSync(join(root, 'evil.cairn'), JSON.stringify(pointer));
    for (const args of [['checkout'], ['checkout', '--force'], ['status']]) {
      const result = await cairn(root, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('POINTER_INVALID');
      expect(result.stderr).toContain('evil.cairn');
      expect(result.stderr).toContain('/path');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(join(root, '.git', 'hooks'))).toEqual(['pre-commit.sample']);

    // The same hook through a symlinked folder that the schema cannot see.
    rmSync(join(root, 'evil.cairn'));
    symlinkSync(join(root, '.git', 'hooks'), join(root, 'hooks'));
    writeFileSync(join(root, 'evil.cairn'), JSON.stringify({ ...pointer, path: 'hooks/pre-commit' }));
    const linked = await cairn(root, 'checkout', '--force');
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('STORE_PATH_UNSAFE_PARENT');
    expect(linked.stderr).toContain('evil.cairn');
    expect(readdirSync(join(root, '.git', 'hooks'))).toEqual(['pre-commit.sample']);
  });
});

describe('cairn checkout verifies what it writes', () => {
  it('a corrupt object without a remote: exit 2, the workspace file untouched, the object quarantined', async () => {
    const root = tempDir('corrupt');
    expect((await cairn(root, 'init')).code).toBe(0);
    writeFileSync(join(root, 'model.bin'), 'trained weights\n');
    const [{ hash }] = JSON.parse((await cairn(root, 'add', 'model.bin', '--json')).stdout) as [
      { hash: string },
    ];
    flipByte(workspaceObjectPath(root, hash));
    writeFileSync(join(root, 'model.bin'), 'my local edit\n');
    const result = await cairn(root, 'checkout', '--force');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('STORE_OBJECT_CORRUPT');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(root, 'model.bin'), 'utf8')).toBe('my local edit\n');
    expect(existsSync(workspaceObjectPath(root, hash))).toBe(false);
    expect(readdirSync(join(root, '.cairn', 'quarantine'))).toHaveLength(1);
    const verified = await cairn(root, 'verify');
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(`missing: ${hash}`);
  });

  it('a corrupt object with a data remote: checkout and pull fetch the good copy and restore it', async () => {
    const root = tempDir('repair');
    const remoteDir = tempDir('remote');
    expect((await cairn(root, 'init')).code).toBe(0);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'table.csv'), 'a,b\n1,2\n');
    writeFileSync(join(root, 'data', 'other.csv'), 'c\n3\n');
    expect((await cairn(root, 'add', 'data')).code).toBe(0);
    expect((await cairn(root, 'remote', 'add', 'origin', remoteDir, '--default')).code).toBe(0);
    expect((await cairn(root, 'push')).code).toBe(0);
    const member = execFileSync('b3sum', ['--no-names', join(root, 'data', 'table.csv')], {
      encoding: 'utf8',
    }).trim();

    for (const verb of ['checkout', 'pull']) {
      flipByte(workspaceObjectPath(root, member));
      rmSync(join(root, 'data', 'table.csv'));
      const result = await cairn(root, verb);
      expect(result.code, `${verb}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toContain(`object ${member} was corrupt`);
      expect(readFileSync(join(root, 'data', 'table.csv'), 'utf8')).toBe('a,b\n1,2\n');
      expect((await cairn(root, 'verify')).code).toBe(0);
    }
  });

  it('as root, an echo >> into a checked-out file leaves the store intact; checkout --force restores it', async () => {
    const root = tempDir('root-edit');
    expect((await cairn(root, 'init')).code).toBe(0);
    writeFileSync(join(root, 'data.csv'), 'x\n1\n');
    expect((await cairn(root, 'add', 'data.csv')).code).toBe(0);
    rmSync(join(root, 'data.csv'));
    expect((await cairn(root, 'checkout')).code).toBe(0);
    execFileSync('sh', ['-c', 'echo 2 >> data.csv'], { cwd: root });
    const status = await cairn(root, 'status', '--check');
    expect(status.code).toBe(1);
    expect(status.stdout).not.toContain('corrupt in store');
    expect((await cairn(root, 'verify')).code).toBe(0);
    expect((await cairn(root, 'checkout', '--force')).code).toBe(0);
    expect(readFileSync(join(root, 'data.csv'), 'utf8')).toBe('x\n1\n');
    // An explicit hardlink request as root is refused with a warning and copies instead.
    rmSync(join(root, 'data.csv'));
    const linked = await cairn(root, 'checkout', '--link', 'hardlink');
    expect(linked.code).toBe(0);
    expect(linked.stderr).toContain('CHECKOUT_LINK_UNSAFE_FOR_ROOT');
    execFileSync('sh', ['-c', 'echo 3 >> data.csv'], { cwd: root });
    expect((await cairn(root, 'verify')).code).toBe(0);
    expect(process.getuid?.()).toBe(0);
  });
});
