import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer, type RunningCacheServer } from '../src';
import { PACK_OBJECT_BYTES, readPack } from '@cairn/remote';
import { seededBytes, seededRandom } from '../../../tools/test-support/src';
import {
  b3sum,
  backends,
  bearer,
  READ_TOKEN,
  send,
  serverForSuite,
  tempDir,
  TOKENS,
  WRITE_ONLY_TOKEN,
  WRITE_TOKEN,
} from './helpers';

// Seeded bodies, so a failure reproduces (seededRandom prints the seed).
const rand = seededRandom(0x5eed_0015);

function record(id: string, body: Buffer, declaredSize = body.length): Buffer {
  return Buffer.concat([Buffer.from(`${id} ${declaredSize}\n`, 'latin1'), body]);
}

function objects(count: number): Array<{ id: string; body: Buffer }> {
  return Array.from({ length: count }, (_, i) => {
    const body = seededBytes(rand, i === 0 ? 0 : 1 + ((i * 7919) % 5000));
    return { id: b3sum(body), body };
  });
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

describe.each(backends)('POST /v1/objects/pack on %s storage', (_name, makeStorage) => {
  const server = serverForSuite(makeStorage);
  const post = (body: Buffer | string, token = WRITE_TOKEN) =>
    send(`${server().url}/v1/objects/pack`, { method: 'POST', headers: bearer(token), body });
  const stored = async (id: string) =>
    (await send(`${server().url}/v1/objects/${id}`, { method: 'HEAD', headers: bearer(READ_TOKEN) }))
      .status === 200;

  it('stores every object of a pack (empty and .dir ones too) and counts re-uploads as existing', async () => {
    const items = objects(25);
    const manifest = Buffer.from('{"manifest":1}\n');
    items.push({ id: `${b3sum(manifest)}.dir`, body: manifest });
    const pack = Buffer.concat(items.map(({ id, body }) => record(id, body)));
    const reply = await post(pack);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ stored: 26, existing: 0 });
    for (const { id, body } of items) {
      const get = await send(`${server().url}/v1/objects/${id}`, { headers: bearer(READ_TOKEN) });
      expect(get.status, id).toBe(200);
      expect(get.body.equals(body), id).toBe(true);
    }
    expect(JSON.parse((await post(pack)).body.toString())).toEqual({ stored: 0, existing: 26 });
    expect(JSON.parse((await post('')).body.toString())).toEqual({ stored: 0, existing: 0 });
  });

  it('refuses a record whose body does not hash to its id, and never stores that object', async () => {
    const [good, bad] = objects(3).slice(1);
    const corrupted = Buffer.from(bad!.body);
    corrupted[0] = corrupted[0]! ^ 0xff;
    const reply = await post(Buffer.concat([record(good!.id, good!.body), record(bad!.id, corrupted)]));
    expect(reply.status).toBe(400);
    expect(reply.body.toString()).toContain(`record 1: object ${bad!.id} does not hash to its id`);
    expect(await stored(bad!.id)).toBe(false);
  });

  it('refuses truncated packs and malformed headers with 400, storing nothing from them', async () => {
    const [a, b] = objects(3).slice(1);
    const full = Buffer.concat([record(a!.id, a!.body), record(b!.id, b!.body)]);
    const cases: Array<[string, Buffer]> = [
      ['body cut short', full.subarray(0, full.length - 1)],
      ['header cut short', Buffer.concat([record(a!.id, a!.body), Buffer.from(b!.id.slice(0, 10))])],
      ['header without size', Buffer.concat([record(a!.id, a!.body), Buffer.from(`${b!.id}\n`)])],
      ['declared size larger than the rest', record(a!.id, a!.body, a!.body.length + 10)],
      ['path in the id', Buffer.concat([Buffer.from('../../../etc/passwd 3\n'), Buffer.from('abc')])],
      ['slash inside an id', Buffer.from(`${a!.id.slice(0, 2)}/${a!.id.slice(3)} 1\nx`)],
      ['uppercase id', record(a!.id.toUpperCase(), a!.body)],
      ['dotdot suffix', Buffer.from(`${a!.id}.dir/.. 1\nx`)],
      ['NUL in the header', Buffer.from(`${a!.id}\0 1\nx`)],
      ['negative size', Buffer.from(`${a!.id} -1\n`)],
      ['size with leading zero', Buffer.from(`${a!.id} 01\nx`)],
      ['two spaces', Buffer.from(`${a!.id}  1\nx`)],
      ['no newline in a long header', Buffer.alloc(500, 0x61)],
    ];
    for (const [label, pack] of cases) {
      const reply = await post(pack);
      expect(reply.status, label).toBe(400);
    }
    expect(await stored(b!.id)).toBe(false);
  });

  it('answers POST /v1/objects/fetch with the present small objects in asked order, to readers only', async () => {
    // More objects than the server reads at once, one absent, one empty, one just above what a pack carries.
    const items = objects(40);
    const present = items.filter((_, index) => index !== 7);
    await post(Buffer.concat(present.map(({ id, body }) => record(id, body))));
    const large = seededBytes(rand, PACK_OBJECT_BYTES + 1);
    const largeId = b3sum(large);
    const put = await send(`${server().url}/v1/objects/${largeId}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: large,
    });
    expect(put.status).toBe(200);
    const fetch = (ids: unknown, token = READ_TOKEN) =>
      send(`${server().url}/v1/objects/fetch`, {
        method: 'POST',
        headers: bearer(token),
        body: JSON.stringify({ ids }),
      });
    const asked = [
      ...items.slice(0, 20).map(({ id }) => id),
      largeId,
      ...items.slice(20).map(({ id }) => id),
    ];
    const reply = await fetch(asked);
    expect(reply.status).toBe(200);
    const got: Array<{ id: string; body: Buffer }> = [];
    for await (const record of readPack(Readable.from([reply.body]), {
      maxObjectBytes: PACK_OBJECT_BYTES,
      maxObjects: 100,
    }))
      got.push(record);
    expect(got.map(({ id }) => id)).toEqual(present.map(({ id }) => id));
    for (const [index, { id, body }] of present.entries())
      expect(got[index]!.body.equals(body), id).toBe(true);
    expect((await fetch(['../../etc/passwd'])).status).toBe(400);
    expect((await fetch([items[0]!.id], WRITE_ONLY_TOKEN)).status).toBe(403);
  });

  it('answers 413 for an object above the per-object limit, 401/403/405 like every other route', async () => {
    const [a] = objects(2).slice(1);
    const huge = await post(Buffer.from(`${a!.id} ${64 * 1024 * 1024}\n`));
    expect(huge.status).toBe(413);
    expect((await post(record(a!.id, a!.body), READ_TOKEN)).status).toBe(403);
    expect(
      (await send(`${server().url}/v1/objects/pack`, { method: 'POST', body: record(a!.id, a!.body) }))
        .status,
    ).toBe(401);
    expect(
      (await send(`${server().url}/v1/objects/pack`, { method: 'GET', headers: bearer(WRITE_TOKEN) })).status,
    ).toBe(405);
    expect(await stored(a!.id)).toBe(false);
  });
});

describe('packs on filesystem storage', () => {
  const dir = tempDir('pack-fs');
  let server: RunningCacheServer;
  beforeAll(async () => {
    server = await startCacheServer({
      storage: new FileSystemStorage(join(dir.path, 'root')),
      tokens: TOKENS,
      maxBodyBytes: 64 * 1024,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });
  const post = (body: Buffer) =>
    send(`${server.url}/v1/objects/pack`, { method: 'POST', headers: bearer(WRITE_TOKEN), body });

  it('publishes all of a pack or nothing, and leaves no temp file or stray path behind', async () => {
    const items = objects(6);
    const corrupted = Buffer.from(items[5]!.body);
    corrupted[corrupted.length - 1] = corrupted[corrupted.length - 1]! ^ 1;
    const bad = Buffer.concat([
      ...items.slice(0, 5).map(({ id, body }) => record(id, body)),
      record(items[5]!.id, corrupted),
    ]);
    expect((await post(bad)).status).toBe(400);
    expect(filesUnder(join(dir.path, 'root'))).toEqual([]);
    expect((await post(Buffer.from('../../escape 1\nx'))).status).toBe(400);
    expect(filesUnder(dir.path)).toEqual([]);

    const good = Buffer.concat(items.map(({ id, body }) => record(id, body)));
    expect((await post(good)).status).toBe(200);
    const files = filesUnder(join(dir.path, 'root')).sort();
    expect(files).toEqual(items.map(({ id }) => join('objects', 'b3', id.slice(0, 2), id.slice(2))).sort());
  });

  it('refuses a pack larger than the server body limit before reading it', async () => {
    const body = seededBytes(rand, 70 * 1024);
    const reply = await post(record(b3sum(body), body));
    expect(reply.status).toBe(413);
  });
});
