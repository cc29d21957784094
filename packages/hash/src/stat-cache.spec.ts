import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashDirectory, hashFiles } from './directory';
import { hashBuffer } from './hash-file';
import { StatCache } from './stat-cache';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-stat-cache-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshDir(): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir);
  return dir;
}

/**
 * Rewrites a file with different bytes of the same length and puts its mtime
 * back to `mtime`: inode, size and mtime are unchanged, so only a rehash can
 * notice. A cache that answers with the old hash proves it skipped the read.
 */
function sneakyRewrite(path: string, content: string, mtime: Date): void {
  writeFileSync(path, content);
  utimesSync(path, mtime, mtime);
}

describe('StatCache', () => {
  it('reuses remembered hashes across a save/load (the file is not read again)', async () => {
    const dir = freshDir();
    const cacheFile = join(`${dir}-cache`, 'stat.json'); // outside the tree being hashed
    const old = new Date(Date.now() - 3600_000);
    // Enough files that the directory is hashed on worker threads, which check the cache themselves.
    for (const name of ['a.txt', ...Array.from({ length: 20 }, (_, i) => `other-${i}`)]) {
      writeFileSync(join(dir, name), name === 'a.txt' ? 'aaaa' : name);
      utimesSync(join(dir, name), old, old);
    }

    const first = await StatCache.load(cacheFile);
    const original = await hashDirectory(dir, { statCache: first });
    await first.save();
    expect(readFileSync(cacheFile).subarray(0, 8).toString('latin1')).toBe('CAIRNSTC');

    sneakyRewrite(join(dir, 'a.txt'), 'bbbb', old);
    const reloaded = await StatCache.load(cacheFile);
    expect(reloaded.size).toBe(21);
    expect((await hashDirectory(dir, { statCache: reloaded })).hash).toBe(original.hash);
    expect((await hashDirectory(dir, { statCache: reloaded, concurrency: 1 })).hash).toBe(original.hash);
    expect((await hashDirectory(dir)).hash).not.toBe(original.hash);
  });

  it('does not trust a file modified within the same mtime tick as its hash (racy git)', async () => {
    const dir = freshDir();
    const path = join(dir, 'racy.txt');
    const now = new Date(); // ms precision: utimes can restore it exactly
    writeFileSync(path, 'v1-content');
    utimesSync(path, now, now);

    const cache = StatCache.inMemory();
    expect((await hashFiles([path], { statCache: cache }))[0]!.hash).toBe(hashBuffer('v1-content'));
    expect(cache.lookup(path, statSync(path, { bigint: true }), 'blake3')).toBeUndefined();

    sneakyRewrite(path, 'v2-content', now);
    expect((await hashFiles([path], { statCache: cache }))[0]!.hash).toBe(hashBuffer('v2-content'));
  });

  it('draws the racy line strictly: mtime must be older than hash time minus the window', () => {
    const takenAt = 1_700_000_000_000_000_000n;
    const cache = StatCache.inMemory({ racyWindowMs: 1, clock: () => takenAt });
    const at = (mtimeNs: bigint) => ({ ino: 7n, size: 3n, mtimeNs });
    expect(cache.remember('/x', at(takenAt - 1_000_000n), 'blake3', 'h1')).toBe(false);
    expect(cache.lookup('/x', at(takenAt - 1_000_000n), 'blake3')).toBeUndefined();
    expect(cache.remember('/x', at(takenAt - 1_000_001n), 'blake3', 'h2')).toBe(true);
    expect(cache.lookup('/x', at(takenAt - 1_000_001n), 'blake3')).toBe('h2');
    // A later racy observation of the same path drops the old entry too.
    expect(cache.remember('/x', at(takenAt), 'blake3', 'h3')).toBe(false);
    expect(cache.lookup('/x', at(takenAt - 1_000_001n), 'blake3')).toBeUndefined();
  });

  it('misses when inode, size or mtime differ, and keeps algorithms apart', () => {
    const cache = StatCache.inMemory({ clock: () => 10n ** 19n });
    const key = { ino: 1n, size: 10n, mtimeNs: 5n };
    cache.remember('/f', key, 'blake3', 'b3');
    cache.remember('/f', key, 'md5', 'm5');
    expect(cache.lookup('/f', key, 'blake3')).toBe('b3');
    expect(cache.lookup('/f', key, 'md5')).toBe('m5');
    expect(cache.lookup('/f', { ...key, ino: 2n }, 'blake3')).toBeUndefined();
    expect(cache.lookup('/f', { ...key, size: 11n }, 'blake3')).toBeUndefined();
    expect(cache.lookup('/f', { ...key, mtimeNs: 6n }, 'blake3')).toBeUndefined();
    expect(cache.lookup('/g', key, 'blake3')).toBeUndefined();
  });

  it('rehashes a file replaced by rename (new inode) with the same size and mtime', async () => {
    const dir = freshDir();
    const path = join(dir, 'f.txt');
    const old = new Date(Date.now() - 3600_000);
    writeFileSync(path, 'one!');
    utimesSync(path, old, old);
    const cache = StatCache.inMemory();
    await hashFiles([path], { statCache: cache });
    writeFileSync(join(dir, 'tmp'), 'two!');
    utimesSync(join(dir, 'tmp'), old, old);
    renameSync(join(dir, 'tmp'), path);
    expect((await hashFiles([path], { statCache: cache }))[0]!.hash).toBe(hashBuffer('two!'));
  });

  it('treats a corrupt or foreign cache file as empty', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'garbage.json'), '{not json');
    writeFileSync(
      join(dir, 'foreign.json'),
      JSON.stringify({ format: 'other', entries: { '/a': ['1', '2', '3', { blake3: 'x' }] } }),
    );
    // The version 1 format (one JSON document) is not read: its entries are rebuilt.
    writeFileSync(
      join(dir, 'v1.json'),
      JSON.stringify({
        format: 'cairn-stat-cache',
        version: 1,
        entries: { '/a': ['1', '2', '3', { blake3: 'x' }] },
      }),
    );
    expect((await StatCache.load(join(dir, 'garbage.json'))).size).toBe(0);
    expect((await StatCache.load(join(dir, 'foreign.json'))).size).toBe(0);
    expect((await StatCache.load(join(dir, 'v1.json'))).size).toBe(0);
    expect((await StatCache.load(join(dir, 'missing.json'))).size).toBe(0);
  });

  it('round-trips 64-bit inode, size and mtime values and both algorithms exactly', async () => {
    const dir = freshDir();
    const file = join(dir, 'index');
    const takenAt = 2n ** 63n;
    const cache = await StatCache.load(file, { clock: () => takenAt });
    const big = { ino: 2n ** 64n - 1n, size: 2n ** 53n + 1n, mtimeNs: 1_700_000_000_123_456_789n };
    cache.remember('/data/ünïcode name\n', big, 'blake3', 'b'.repeat(64));
    cache.remember('/data/ünïcode name\n', big, 'md5', 'm'.repeat(32));
    cache.remember('/data/other', { ino: 0n, size: 0n, mtimeNs: 0n }, 'blake3', 'c'.repeat(64));
    await cache.save();
    const loaded = await StatCache.load(file);
    expect(loaded.size).toBe(2);
    expect(loaded.lookup('/data/ünïcode name\n', big, 'blake3')).toBe('b'.repeat(64));
    expect(loaded.lookup('/data/ünïcode name\n', big, 'md5')).toBe('m'.repeat(32));
    expect(
      loaded.lookup('/data/ünïcode name\n', { ...big, mtimeNs: big.mtimeNs + 1n }, 'md5'),
    ).toBeUndefined();
    expect(loaded.entryFor('/data/other', 'blake3')).toEqual(['0', '0', '0', 'c'.repeat(64)]);
  });

  it('rebuilds, never trusts, an index torn at any length or with any byte flipped', async () => {
    const dir = freshDir();
    const data = freshDir();
    const old = new Date(Date.now() - 3600_000);
    const paths = ['a', 'b', 'c'].map((name) => join(data, name));
    for (const path of paths) {
      writeFileSync(path, `content of ${path}`);
      utimesSync(path, old, old);
    }
    const file = join(dir, 'index');
    const cache = await StatCache.load(file);
    const original = await hashFiles(paths, { statCache: cache, concurrency: 1 });
    await cache.save();
    const intact = readFileSync(file);
    expect((await StatCache.load(file)).size).toBe(3);

    // A sneaky rewrite (same inode, size, mtime) is only seen if the index is not trusted.
    sneakyRewrite(paths[1]!, `CONTENT OF ${paths[1]!}`.slice(0, `content of ${paths[1]!}`.length), old);
    const fresh = hashBuffer(readFileSync(paths[1]!));
    expect(fresh).not.toBe(original[1]!.hash);

    const damaged: Array<[string, Buffer]> = [];
    for (let length = 0; length < intact.length; length++) {
      damaged.push([`torn at ${length}`, intact.subarray(0, length)]);
    }
    for (let offset = 0; offset < intact.length; offset++) {
      const copy = Buffer.from(intact);
      copy[offset] = copy[offset]! ^ 0x01;
      damaged.push([`bit flipped at ${offset}`, copy]);
    }
    damaged.push(['extra trailing byte', Buffer.concat([intact, Buffer.from([0])])]);
    for (const [label, bytes] of damaged) {
      writeFileSync(file, bytes);
      const reloaded = await StatCache.load(file);
      expect(reloaded.size, label).toBe(0);
      const again = await hashFiles([paths[1]!], { statCache: reloaded, concurrency: 1 });
      expect(again[0]!.hash, label).toBe(fresh);
    }
    // After a rebuild the index is written whole again and trusted.
    const rebuilt = await StatCache.load(file);
    await hashFiles(paths, { statCache: rebuilt, concurrency: 1 });
    await rebuilt.save();
    expect((await StatCache.load(file)).size).toBe(3);
  });

  it('serves hashFiles on worker threads too', async () => {
    const dir = freshDir();
    const old = new Date(Date.now() - 3600_000);
    const paths = Array.from({ length: 40 }, (_, i) => join(dir, `f${i}`));
    paths.forEach((path, i) => {
      writeFileSync(path, `file-${String(i).padStart(3, '0')}`);
      utimesSync(path, old, old);
    });
    const cache = StatCache.inMemory();
    const first = await hashFiles(paths, { statCache: cache, concurrency: 2 });
    expect(cache.size).toBe(40);
    sneakyRewrite(paths[5]!, 'file-XXX', old);
    const second = await hashFiles(paths, { statCache: cache, concurrency: 2 });
    expect(second).toEqual(first);
    expect((await hashFiles([paths[5]!]))[0]!.hash).toBe(hashBuffer('file-XXX'));
  });
});
