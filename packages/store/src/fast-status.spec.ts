import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashDirectory, StatCache } from '@cairn/hash';
import { cleanup, tempDir, writeTree } from '../test/helpers';
import { cachedDirectoryHash } from './fast-status';

const dirs: string[] = [];
/** A clock 10 s ahead, so files written just now are not "racy" for the stat cache. */
const later = () => BigInt(Date.now() + 10_000) * 1_000_000n;
afterEach(() => dirs.splice(0).forEach(cleanup));

describe('cachedDirectoryHash (status fast path)', () => {
  it('gives exactly hashDirectory’s hash and entries once every file is in the stat cache', async () => {
    const dir = tempDir('cairn-fast-');
    dirs.push(dir);
    writeTree(dir, 50, 9);
    writeFileSync(join(dir, 'ünïcode name.txt'), 'x');
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'run.sh'), 0o755);
    mkdirSync(join(dir, 'empty-folder'));
    const cache = StatCache.inMemory({ racyWindowMs: 0, clock: later });
    expect(cachedDirectoryHash(dir, cache)).toBeUndefined(); // cold cache: fall back
    const full = await hashDirectory(dir, { statCache: cache });
    const { root, walk, ...fast } = cachedDirectoryHash(dir, cache)!;
    expect(fast).toEqual(full); // hash, entries, size, nfiles and the manifest bytes
    expect(root).toBe(realpathSync(dir));
    expect(walk?.files).toHaveLength(52);

    writeFileSync(join(dir, 'new.txt'), 'new'); // a miss: fall back again
    expect(cachedDirectoryHash(dir, cache)).toBeUndefined();
  });

  it('falls back on symlinks (hashDirectory owns the link rules)', async () => {
    const dir = tempDir('cairn-fast-');
    dirs.push(dir);
    writeFileSync(join(dir, 'a.txt'), 'a');
    symlinkSync('a.txt', join(dir, 'link.txt'));
    const cache = StatCache.inMemory({ racyWindowMs: 0, clock: later });
    await hashDirectory(dir, { statCache: cache });
    expect(cachedDirectoryHash(dir, cache)).toBeUndefined();
  });
});
