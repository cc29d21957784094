import { describe, expect, it } from 'vitest';
import { b3sum, backends, bearer, READ_TOKEN, send, serverForSuite, WRITE_TOKEN } from './helpers';
import { seededBytes, seededRandom } from '../../../tools/test-support/src';

const rand = seededRandom(103);

describe.each(backends)('data remote API on %s storage', (_name, makeStorage) => {
  const server = serverForSuite(makeStorage);

  it('stores an object whose body hashes to its id, and serves it back', async () => {
    const body = seededBytes(rand, 300_000);
    const id = b3sum(body);
    const url = `${server().url}/v1/objects/${id}`;
    expect((await send(url, { method: 'HEAD', headers: bearer(READ_TOKEN) })).status).toBe(404);
    expect((await send(url, { method: 'PUT', headers: bearer(WRITE_TOKEN), body })).status).toBe(200);
    const head = await send(url, { method: 'HEAD', headers: bearer(READ_TOKEN) });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(body.length));
    const get = await send(url, { headers: bearer(READ_TOKEN) });
    expect(get.body.equals(body)).toBe(true);
    // Directory manifests carry the `.dir` suffix; the digest is of the manifest bytes.
    const manifest = Buffer.from('[{"relpath":"a.txt"}]');
    const dirId = `${b3sum(manifest)}.dir`;
    expect(
      (
        await send(`${server().url}/v1/objects/${dirId}`, {
          method: 'PUT',
          headers: bearer(WRITE_TOKEN),
          body: manifest,
        })
      ).status,
    ).toBe(200);
  });

  it('stores and serves an empty object', async () => {
    const id = b3sum(Buffer.alloc(0));
    const url = `${server().url}/v1/objects/${id}`;
    expect(
      (await send(url, { method: 'PUT', headers: bearer(WRITE_TOKEN), body: Buffer.alloc(0) })).status,
    ).toBe(200);
    const get = await send(url, { headers: bearer(READ_TOKEN) });
    expect(get.status).toBe(200);
    expect(get.body.length).toBe(0);
  });

  it('rejects a body that does not hash to its id and stores nothing', async () => {
    const body = seededBytes(rand, 100_000);
    const id = b3sum(body);
    const corrupted = Buffer.from(body);
    corrupted[50_000] = corrupted[50_000]! ^ 0xff;
    const url = `${server().url}/v1/objects/${id}`;
    const put = await send(url, { method: 'PUT', headers: bearer(WRITE_TOKEN), body: corrupted });
    expect(put.status).toBe(400);
    expect((await send(url, { headers: bearer(READ_TOKEN) })).status).toBe(404);
    // The genuine body is still accepted afterwards.
    expect((await send(url, { method: 'PUT', headers: bearer(WRITE_TOKEN), body })).status).toBe(200);
  });

  it('answers which objects are missing in one round trip', async () => {
    const bodies = [seededBytes(rand, 10), seededBytes(rand, 20), seededBytes(rand, 30)];
    const ids = bodies.map(b3sum);
    await send(`${server().url}/v1/objects/${ids[1]}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: bodies[1],
    });
    const reply = await send(`${server().url}/v1/objects/missing`, {
      method: 'POST',
      headers: { ...bearer(READ_TOKEN), 'Content-Type': 'application/json' },
      body: JSON.stringify({ ids: [...ids, ids[0]] }),
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ missing: [ids[0], ids[2]] });
  });

  it('rejects malformed object ids, read-only writes and anonymous queries', async () => {
    for (const id of ['ABC', 'a'.repeat(63), `${'a'.repeat(64)}.tar`, `${'A'.repeat(64)}`]) {
      expect(
        (await send(`${server().url}/v1/objects/${id}`, { headers: bearer(READ_TOKEN) })).status,
        id,
      ).toBe(400);
    }
    const body = seededBytes(rand, 8);
    const put = await send(`${server().url}/v1/objects/${b3sum(body)}`, {
      method: 'PUT',
      headers: bearer(READ_TOKEN),
      body,
    });
    expect(put.status).toBe(403);
    const bad = await send(`${server().url}/v1/objects/missing`, {
      method: 'POST',
      headers: bearer(READ_TOKEN),
      body: JSON.stringify({ ids: ['../../etc/passwd'] }),
    });
    expect(bad.status).toBe(400);
    const anonymous = await send(`${server().url}/v1/objects/missing`, {
      method: 'POST',
      body: '{"ids":[]}',
    });
    expect(anonymous.status).toBe(401);
  });
});
