import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBuffer } from '@cairn/hash';
import { HttpRemote, packHeader, pullObjects } from '../src';
import { tempDir } from './helpers';

// A hostile cache server: it claims to have every object and answers /v1/objects/fetch with
// whatever pack the test gives it, and 404 for single GETs.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function hostile(pack: (asked: string[]) => Buffer): Promise<string> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/objects/missing') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ missing: [] }));
      } else if (req.url === '/v1/objects/fetch') {
        const { ids } = JSON.parse(Buffer.concat(chunks).toString()) as { ids: string[] };
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(pack(ids));
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function storeFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

const good = Buffer.from('the genuine object');
const goodId = hashBuffer(good);
const other = Buffer.from('another object');
const otherId = hashBuffer(other);

describe('pull through packs from a hostile server', () => {
  const cases: Array<[string, (asked: string[]) => Buffer]> = [
    [
      'a body that does not hash to its id',
      () => Buffer.concat([packHeader(goodId, 4), Buffer.from('evil')]),
    ],
    [
      'an object that was not asked for',
      () => Buffer.concat([packHeader(hashBuffer('x'), 1), Buffer.from('x')]),
    ],
    ['a truncated pack', () => Buffer.concat([packHeader(goodId, good.length), good.subarray(0, 5)])],
    ['a path in the id', () => Buffer.from('../../../../tmp/escaped 4\nevil')],
    [
      'the same object twice',
      () => Buffer.concat([packHeader(goodId, good.length), good, packHeader(goodId, good.length), good]),
    ],
  ];
  for (const [label, pack] of cases) {
    it(`refuses ${label}: the pull fails and the store holds no file, not even a temp file`, async () => {
      const url = await hostile(pack);
      const store = tempDir('pull-hostile');
      cleanups.push(() => store.remove());
      const remote = new HttpRemote(url);
      cleanups.push(() => remote.close());
      await expect(pullObjects(store.path, [goodId, otherId], remote, { retries: 0 })).rejects.toMatchObject({
        code: 'REMOTE_TRANSFER_FAILED',
      });
      const files = storeFiles(store.path);
      // Only a genuine object may have landed (the duplicate case delivers it before failing).
      expect(files.filter((name) => `${goodId.slice(0, 2)}${name}` !== goodId)).toEqual([]);
    });
  }

  it('places every genuine object of a pack, verified, and fetches nothing else', async () => {
    const url = await hostile((asked) =>
      Buffer.concat(
        asked.flatMap((id) => {
          const body = id === goodId ? good : other;
          return [packHeader(id, body.length), body];
        }),
      ),
    );
    const store = tempDir('pull-good');
    cleanups.push(() => store.remove());
    const remote = new HttpRemote(url);
    cleanups.push(() => remote.close());
    const result = await pullObjects(store.path, [goodId, otherId], remote, { retries: 0 });
    expect(result.transferred.sort()).toEqual([goodId, otherId].sort());
    expect(storeFiles(store.path).sort()).toEqual([goodId.slice(2), otherId.slice(2)].sort());
  });
});
