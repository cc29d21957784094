import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer } from '../src';
import { bearer, send, tempDir, TOKENS, WRITE_TOKEN } from './helpers';

/** The body of entry `hash` is a pure function of the hash, so any reader can check what it got. */
function bodyFor(hash: string): Buffer {
  const seed = createHash('sha256').update(hash).digest();
  const length = 512 + (seed.readUInt16BE(0) % 16_384);
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += seed.length) seed.copy(out, offset);
  return out;
}

describe('load', () => {
  it('serves 10,000 mixed requests from 64 concurrent clients with no 5xx and no corrupt read', async () => {
    const dir = tempDir('cache-load');
    const server = await startCacheServer({
      storage: new FileSystemStorage(dir.path),
      tokens: TOKENS,
      log: () => undefined,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const hashes = Array.from({ length: 1500 }, (_, i) => String(10_000_000 + i));
    const acknowledged = new Set<string>();
    const counts = { requests: 0, status5xx: 0, corrupt: 0, hits: 0, stored: 0, conflicts: 0, other: 0 };
    let next = 0;
    try {
      const client = async (clientIndex: number) => {
        while (next < 10_000) {
          const i = next++;
          // A deterministic mix: ~40 % PUT (some of them duplicates), ~60 % GET.
          const hash = hashes[(i * 7919 + clientIndex) % hashes.length]!;
          const url = `${server.url}/v1/cache/${hash}`;
          const isPut = i % 5 < 2;
          const reply = isPut
            ? await send(url, { method: 'PUT', headers: bearer(WRITE_TOKEN), body: bodyFor(hash), agent })
            : await send(url, { headers: bearer(WRITE_TOKEN), agent });
          counts.requests += 1;
          if (reply.status >= 500) counts.status5xx += 1;
          else if (isPut && reply.status === 200) {
            counts.stored += 1;
            acknowledged.add(hash);
          } else if (isPut && reply.status === 409) counts.conflicts += 1;
          else if (!isPut && reply.status === 200) {
            counts.hits += 1;
            if (!reply.body.equals(bodyFor(hash))) counts.corrupt += 1;
          } else if (!isPut && reply.status === 404 && !acknowledged.has(hash)) {
            // a miss before anyone stored it
          } else counts.other += 1;
        }
      };
      await Promise.all(Array.from({ length: 64 }, (_, index) => client(index)));
      expect(counts.requests).toBe(10_000);
      expect(counts).toMatchObject({ status5xx: 0, corrupt: 0, other: 0 });
      expect(counts.hits).toBeGreaterThan(1000);
      expect(counts.conflicts).toBeGreaterThan(100);
      expect(counts.stored).toBe(acknowledged.size);
    } finally {
      agent.destroy();
      await server.close();
      dir.remove();
    }
  }, 240_000); // a guard against a hang, not a speed limit
});
