import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashBuffer } from '@cairn/hash';
import {
  HttpRemote,
  objectFile,
  openRemote,
  PACK_OBJECT_BYTES,
  pullObjects,
  pushObjects,
  type Remote,
} from '@cairn/remote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer, type RunningCacheServer } from '../src';
import { READ_TOKEN, tempDir, TOKENS, WRITE_TOKEN } from './helpers';
import { seededBytes, seededRandom } from '../../../tools/test-support/src';

const rand = seededRandom(104);

function fillStore(storeDir: string, count: number): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const body = seededBytes(rand, 1 + ((i * 7919) % 30_000));
    const id = hashBuffer(body);
    mkdirSync(dirname(objectFile(storeDir, id)), { recursive: true });
    writeFileSync(objectFile(storeDir, id), body, { mode: 0o444 });
    objects.set(id, body);
  }
  return objects;
}

describe('push and pull through the cache server (HTTP remote)', () => {
  const dir = tempDir('http-remote');
  let server: RunningCacheServer;

  beforeAll(async () => {
    server = await startCacheServer({
      storage: new FileSystemStorage(`${dir.path}/server`),
      tokens: TOKENS,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it('pushes with a write token, pulls with a read token, and the server store is itself a local remote', async () => {
    const objects = fillStore(`${dir.path}/a`, 120);
    const ids = [...objects.keys()];
    const writer = openRemote(server.url, { token: WRITE_TOKEN });
    expect(writer).toBeInstanceOf(HttpRemote);
    const pushed = await pushObjects(`${dir.path}/a`, ids, writer, { concurrency: 16 });
    expect(pushed.transferred).toHaveLength(120);
    expect((await pushObjects(`${dir.path}/a`, ids, writer)).skipped).toBe(120);

    const reader = openRemote(server.url, { token: READ_TOKEN });
    const pulled = await pullObjects(`${dir.path}/b`, ids, reader, { concurrency: 16 });
    expect(pulled.transferred).toHaveLength(120);
    for (const [id, body] of objects)
      expect(readFileSync(objectFile(`${dir.path}/b`, id)).equals(body)).toBe(true);

    // The fs backend keeps objects in the store layout: `<storage>/objects` works as a local remote.
    expect(await openRemote(`${dir.path}/server/objects`).missing(ids)).toEqual([]);

    // A read-only token cannot push.
    const more = fillStore(`${dir.path}/c`, 2);
    await expect(
      pushObjects(`${dir.path}/c`, [...more.keys()], reader, { retryDelayMs: 1 }),
    ).rejects.toMatchObject({
      code: 'REMOTE_TRANSFER_FAILED',
      data: { failed: [expect.objectContaining({ code: 'REMOTE_FORBIDDEN' }), expect.anything()] },
    });
    // A bad token fails the first round trip with a clear code.
    await expect(
      pullObjects(`${dir.path}/d`, ids, openRemote(server.url, { token: 'wrong-token-0123456789' })),
    ).rejects.toMatchObject({
      code: 'REMOTE_UNAUTHORIZED',
    });
    await Promise.all([writer.close(), reader.close()]);
  });

  it('pulls into a store that holds some objects: skips those, names the absent ones, fetches a large one alone', async () => {
    const objects = fillStore(`${dir.path}/f`, 60);
    const large = seededBytes(rand, PACK_OBJECT_BYTES + 1);
    const largeId = hashBuffer(large);
    mkdirSync(dirname(objectFile(`${dir.path}/f`, largeId)), { recursive: true });
    writeFileSync(objectFile(`${dir.path}/f`, largeId), large, { mode: 0o444 });
    objects.set(largeId, large);
    const ids = [...objects.keys()];
    const writer = openRemote(server.url, { token: WRITE_TOKEN });
    expect((await pushObjects(`${dir.path}/f`, ids.slice(5), writer)).transferred).toHaveLength(
      ids.length - 5,
    );
    // The puller already has three objects (so some fan-out folders exist, most do not).
    const store = `${dir.path}/g`;
    for (const id of ids.slice(10, 13)) {
      mkdirSync(dirname(objectFile(store, id)), { recursive: true });
      writeFileSync(objectFile(store, id), objects.get(id)!, { mode: 0o444 });
    }
    const reader = openRemote(server.url, { token: READ_TOKEN });
    const pulled = await pullObjects(store, ids, reader, { concurrency: 4 });
    expect(pulled.skipped).toBe(3);
    expect(pulled.unavailable.sort()).toEqual(ids.slice(0, 5).sort());
    expect(pulled.transferred.sort()).toEqual([...ids.slice(5, 10), ...ids.slice(13)].sort());
    for (const id of ids.slice(5))
      expect(readFileSync(objectFile(store, id)).equals(objects.get(id)!), id).toBe(true);
    // Nothing else landed: no absent object, no temp file.
    const files = readdirSync(store, { recursive: true, withFileTypes: true }).filter((entry) =>
      entry.isFile(),
    );
    expect(files).toHaveLength(ids.length - 5);
    await Promise.all([writer.close(), reader.close()]);
  });

  it('retries when the server is unreachable, then reports it', async () => {
    const opened = openRemote('http://127.0.0.1:1', { token: READ_TOKEN });
    let attempts = 0;
    const unreachable: Remote = {
      url: opened.url,
      missing: (ids) => ((attempts += 1), opened.missing(ids)),
      get: (id, dest) => ((attempts += 1), opened.get(id, dest)),
      put: (id, src) => ((attempts += 1), opened.put(id, src)),
      close: () => opened.close(),
    };
    await expect(
      pullObjects(`${dir.path}/e`, ['a'.repeat(64)], unreachable, { retries: 2, retryDelayMs: 1 }),
    ).rejects.toMatchObject({
      code: 'REMOTE_UNREACHABLE',
    });
    // The first try and two retries, then the error.
    expect(attempts).toBe(3);
  });
});
