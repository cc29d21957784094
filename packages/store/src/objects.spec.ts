import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBuffer } from '@cairn/hash';
import { bytes, cleanup, tempDir, writeTree } from '../test/helpers';
import { add, gc, initWorkspace, verify } from './index';
import { objectPath } from './layout';
import { listObjectIds, objectTempPath, putFile, WHOLE_READ_LIMIT } from './objects';
import { storeOnWorkers, storeWorkersAvailable } from './store-workers';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(cleanup));
function dir(): string {
  const path = tempDir('cairn-objects-');
  dirs.push(path);
  return path;
}

/** Everything under the cache's fan-out folders, temp files included. */
function cacheFiles(cache: string): string[] {
  const base = join(cache, 'b3');
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((prefix) => readdirSync(join(base, prefix)).map((name) => prefix + name));
}

describe('objects', () => {
  it('stores a file read-only under its hash and skips it the second time', async () => {
    const work = dir();
    const cache = join(work, 'cache');
    const content = bytes(5, 5000);
    writeFileSync(join(work, 'f'), content);
    const hash = hashBuffer(content);
    expect(await putFile(cache, join(work, 'f'), hash, content.length)).toBe(true);
    expect(readFileSync(objectPath(cache, hash)).equals(content)).toBe(true);
    expect(statSync(objectPath(cache, hash)).mode & 0o777).toBe(0o444);
    expect(await putFile(cache, join(work, 'f'), hash, content.length)).toBe(false);
  });

  it.each([
    ['small (read whole)', 4096],
    ['large (streamed)', WHOLE_READ_LIMIT + 4096],
  ])('refuses a %s file whose content no longer matches its hash, storing nothing', async (_name, size) => {
    const work = dir();
    const cache = join(work, 'cache');
    const expected = bytes(1, size);
    writeFileSync(join(work, 'f'), bytes(2, size)); // "changed" after hashing
    await expect(putFile(cache, join(work, 'f'), hashBuffer(expected), size)).rejects.toMatchObject({
      code: 'STORE_SOURCE_CHANGED',
      data: { path: join(work, 'f'), expected: hashBuffer(expected) },
    });
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('rewrites a truncated object instead of trusting it', async () => {
    const work = dir();
    const cache = join(work, 'cache');
    const content = bytes(3, 3000);
    writeFileSync(join(work, 'f'), content);
    const hash = hashBuffer(content);
    await putFile(cache, join(work, 'f'), hash, content.length);
    const object = objectPath(cache, hash);
    // Simulate a torn write: the object exists but is short.
    cleanup(object);
    writeFileSync(object, content.subarray(0, 100));
    expect(await putFile(cache, join(work, 'f'), hash, content.length)).toBe(true);
    expect(readFileSync(object).equals(content)).toBe(true);
  });

  it('worker storage checks every file against its expected hash', async () => {
    // The native BLAKE3 binding is a locked dependency: without it this is a failure, not a skip.
    expect(storeWorkersAvailable(), 'the native @napi-rs/blake-hash binding did not load').toBe(true);
    const work = dir();
    const cache = join(work, 'cache');
    const good = bytes(7, 2000);
    const bad = bytes(8, 2000);
    writeFileSync(join(work, 'good'), good);
    writeFileSync(join(work, 'bad'), bad);
    const jobs = [
      { source: join(work, 'good'), hash: hashBuffer(good) },
      { source: join(work, 'bad'), hash: hashBuffer(good).replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      { source: join(work, 'missing'), hash: hashBuffer(bad) },
    ].map((job) => ({
      ...job,
      target: objectPath(cache, job.hash),
      temp: objectTempPath(cache, job.hash),
    }));
    const results = await storeOnWorkers(jobs);
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toMatchObject({ error: { code: 'CHANGED', actual: hashBuffer(bad) } });
    expect(results[2]).toMatchObject({ error: { code: 'ENOENT' } });
    // Only the good object, and no temp file left behind.
    expect(cacheFiles(cache)).toEqual([hashBuffer(good)]);
  });
});

describe('store lock', () => {
  it('gc running alongside add never removes objects the new pointer needs', async () => {
    const root = dir();
    await initWorkspace(root);
    writeTree(join(root, 'data'), 300, 11);
    const [, ...gcs] = await Promise.all([add(root, ['data']), gc(root), gc(root), gc(root)]);
    expect(gcs.every((result) => Array.isArray(result.removed))).toBe(true);
    const result = await verify(root);
    expect(result).toMatchObject({ corrupt: [], missing: [] });
    expect(await listObjectIds(join(root, '.cairn', 'cache'))).toHaveLength(301);
  });
});
