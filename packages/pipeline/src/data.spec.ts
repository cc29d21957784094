import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { add, initWorkspace } from '@cairn/store';
import { assertDataUnmodified } from './data-state';

function write(root: string, file: string, content: string) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

describe('assertDataUnmodified', () => {
  it('passes clean, not-yet-pulled and untracked data; refuses each edited file by name', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cairn-stale-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    await initWorkspace(root);
    write(root, 'a/a.csv', 'x\n1\n');
    write(root, 'b/b.csv', 'x\n2\n');
    write(root, 'c/c.csv', 'x\n3\n');
    mkdirSync(join(root, 'folder/parts'), { recursive: true });
    write(root, 'folder/parts/p1.csv', 'x\n4\n');
    await add(root, ['a/a.csv', 'b/b.csv', 'c/c.csv', 'folder/parts']);
    write(root, 'untracked/u.csv', 'x\n5\n');
    const all = ['a/a.csv', 'b/b.csv', 'c/c.csv', 'folder/parts', 'untracked/u.csv', 'nowhere/n.csv'];

    await expect(assertDataUnmodified(root, all)).resolves.toBeUndefined();
    rmSync(join(root, 'c/c.csv'));
    await expect(assertDataUnmodified(root, all)).resolves.toBeUndefined();

    // Same size, other bytes: only the hash can tell.
    write(root, 'a/a.csv', 'x\n9\n');
    write(root, 'folder/parts/p2.csv', 'x\n6\n');
    await expect(assertDataUnmodified(root, all)).rejects.toMatchObject({
      code: 'DATA_MODIFIED',
      message: '2 data files differ from their pointers: a/a.csv, folder/parts',
      data: { files: ['a/a.csv', 'folder/parts'], pointerFiles: ['a/a.csv.cairn', 'folder/parts.cairn'] },
      hint: expect.stringContaining('npx cairn add a/a.csv folder/parts'),
    });
    await expect(assertDataUnmodified(root, ['a/a.csv'])).rejects.toMatchObject({
      message: 'a/a.csv differs from its pointer a/a.csv.cairn',
    });
  });
});
