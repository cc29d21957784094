import { readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer } from '../src';
import {
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
import { oraclePath, seededBytes, seededRandom } from '../../../tools/test-support/src';

const rand = seededRandom(101);

interface ConformanceCase {
  id: string;
}
const conformance = JSON.parse(
  readFileSync(oraclePath('nx-remote-cache', 'conformance_cases.json'), 'utf8'),
) as { cases: ConformanceCase[] };

/** The server's request log: a check waits on it to know the server has finished a request. */
const serverLog: Array<Record<string, unknown>> = [];
const logWaiters = new Set<() => void>();
function logEntry(entry: Record<string, unknown>): void {
  serverLog.push(entry);
  for (const wake of logWaiters) wake();
}
async function logged(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const found = serverLog.find(match);
    if (found) return found;
    await new Promise<void>((resolve) => {
      const wake = () => {
        logWaiters.delete(wake);
        resolve();
      };
      logWaiters.add(wake);
    });
  }
}

let counter = 0;
/** Nx-style task hash: a decimal 64-bit number. */
function nxHash(): string {
  counter += 1;
  return `${BigInt(`0x${seededBytes(rand, 8).toString('hex')}`)}${counter}`.slice(0, 20);
}

type Check = (base: string) => Promise<void>;

/** One executable check per case id in the shared conformance file. */
const checks: Record<string, Check> = {
  'get-miss': async (base) => {
    const reply = await send(`${base}/v1/cache/${nxHash()}`, { headers: bearer(READ_TOKEN) });
    expect(reply.status).toBe(404);
  },
  'put-then-get': async (base) => {
    const hash = nxHash();
    const body = seededBytes(rand, 200_000);
    const put = await send(`${base}/v1/cache/${hash}`, { method: 'PUT', headers: bearer(WRITE_TOKEN), body });
    expect(put.status).toBe(200);
    const get = await send(`${base}/v1/cache/${hash}`, {
      headers: { ...bearer(READ_TOKEN), Accept: 'application/octet-stream' },
    });
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('application/octet-stream');
    expect(get.body.equals(body)).toBe(true);
  },
  'put-success-code': async (base) => {
    const put = await send(`${base}/v1/cache/${nxHash()}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: 'x',
    });
    expect(put.status).toBe(200);
  },
  'put-duplicate': async (base) => {
    const hash = nxHash();
    const first = await send(`${base}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: 'original',
    });
    expect(first.status).toBe(200);
    const second = await send(`${base}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: 'poisoned',
    });
    expect(second.status).toBe(409);
    const get = await send(`${base}/v1/cache/${hash}`, { headers: bearer(READ_TOKEN) });
    expect(get.body.toString()).toBe('original');
  },
  'put-readonly-token': async (base) => {
    const hash = nxHash();
    const put = await send(`${base}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: bearer(READ_TOKEN),
      body: 'x',
    });
    expect(put.status).toBe(403);
    expect(put.headers['content-type']).toBe('text/plain');
    expect((await send(`${base}/v1/cache/${hash}`, { headers: bearer(READ_TOKEN) })).status).toBe(404);
  },
  'no-token': async (base) => {
    for (const method of ['GET', 'PUT']) {
      const reply = await send(`${base}/v1/cache/${nxHash()}`, {
        method,
        body: method === 'PUT' ? 'x' : undefined,
      });
      expect(reply.status).toBe(401);
      expect(reply.headers['content-type']).toBe('text/plain');
      expect(reply.body.toString().trim().length).toBeGreaterThan(0);
    }
  },
  'bad-token': async (base) => {
    const reply = await send(`${base}/v1/cache/${nxHash()}`, { headers: bearer('not-a-valid-token-at-all') });
    expect(reply.status).toBe(401);
    expect(reply.headers['content-type']).toBe('text/plain');
  },
  'get-forbidden': async (base) => {
    const reply = await send(`${base}/v1/cache/${nxHash()}`, { headers: bearer(WRITE_ONLY_TOKEN) });
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('text/plain');
  },
  'truncated-upload': async (base) => {
    const hash = nxHash();
    // Declare 1 MB, send 1000 bytes, then hang up.
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${base}/v1/cache/${hash}`, {
        method: 'PUT',
        headers: { ...bearer(WRITE_TOKEN), 'Content-Length': String(1_000_000) },
      });
      req.on('error', () => resolve());
      req.write(seededBytes(rand, 1000), () => req.destroy());
      req.on('close', () => resolve());
    });
    // The server has seen the upload end early and answered nothing (logged as 499).
    expect(await logged((entry) => entry.path === `/v1/cache/${hash}`)).toMatchObject({ status: 499 });
    expect((await send(`${base}/v1/cache/${hash}`, { headers: bearer(READ_TOKEN) })).status).toBe(404);
    // ...and the hash can still be stored properly afterwards (no 409 from a damaged leftover).
    const put = await send(`${base}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: 'whole',
    });
    expect(put.status).toBe(200);
  },
  'third-party-extras': async (base) => {
    const hash = nxHash();
    await send(`${base}/v1/cache/${hash}`, { method: 'PUT', headers: bearer(WRITE_TOKEN), body: 'a' });
    const dup = await send(`${base}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: bearer(WRITE_TOKEN),
      body: 'a',
    });
    expect(dup.body.toString().trim()).toBe('Cannot override an existing record');
    const miss = await send(`${base}/v1/cache/${nxHash()}`, { headers: bearer(READ_TOKEN) });
    expect(miss.body.toString().trim()).toBe('The record was not found');
  },
};

describe.each(backends)('Nx remote cache API on %s storage', (_name, makeStorage) => {
  const server = serverForSuite(makeStorage, { tokens: TOKENS, log: logEntry });

  it('has a check for every case in conformance_cases.json', () => {
    expect(conformance.cases.length).toBeGreaterThan(5);
    expect(conformance.cases.map((c) => c.id).filter((id) => !checks[id])).toEqual([]);
  });

  for (const { id } of conformance.cases) {
    it(`conformance case ${id}`, async () => {
      await checks[id]!(server().url);
    });
  }

  it('rejects malformed hashes and traversal attempts with 400 before touching storage', async () => {
    for (const hash of ['..%2F..%2Fetc%2Fpasswd', 'abc.def', 'a'.repeat(129), 'x%00y', 'abc-def']) {
      const get = await send(`${server().url}/v1/cache/${hash}`, { headers: bearer(READ_TOKEN) });
      expect(get.status, hash).toBe(400);
      const put = await send(`${server().url}/v1/cache/${hash}`, {
        method: 'PUT',
        headers: bearer(WRITE_TOKEN),
        body: 'x',
      });
      expect(put.status, hash).toBe(400);
    }
    // Dot segments (which URL parsers may resolve before sending) never reach storage either.
    for (const path of ['../../etc/passwd', '%2e%2e/%2e%2e/etc/passwd', '%2e%2e']) {
      const dots = await send(`${server().url}/v1/cache/${path}`, { headers: bearer(READ_TOKEN) });
      expect([400, 404]).toContain(dots.status);
      expect(dots.body.toString()).not.toContain('root:');
    }
  });

  it('answers 413 for a declared size over the limit', async () => {
    const dir = tempDir('cache-small');
    const small = await startCacheServer({
      storage: new FileSystemStorage(dir.path),
      tokens: TOKENS,
      maxBodyBytes: 1000,
      log: () => undefined,
    });
    try {
      const reply = await send(`${small.url}/v1/cache/123`, {
        method: 'PUT',
        headers: bearer(WRITE_TOKEN),
        body: seededBytes(rand, 1001),
      });
      expect(reply.status).toBe(413);
      const fits = await send(`${small.url}/v1/cache/124`, {
        method: 'PUT',
        headers: bearer(WRITE_TOKEN),
        body: seededBytes(rand, 1000),
      });
      expect(fits.status).toBe(200);
    } finally {
      await small.close();
      dir.remove();
    }
  });
});

describe('filesystem layout', () => {
  it('stores entries read-only and leaves no temp files', async () => {
    const dir = tempDir('cache-layout');
    const server = await startCacheServer({
      storage: new FileSystemStorage(dir.path),
      noAuth: true,
      log: () => undefined,
    });
    try {
      expect((await send(`${server.url}/v1/cache/42`, { method: 'PUT', body: 'abc' })).status).toBe(200);
      expect(readdirSync(join(dir.path, 'cache'))).toEqual(['42']);
      const { statSync } = await import('node:fs');
      expect(statSync(join(dir.path, 'cache', '42')).mode & 0o777).toBe(0o444);
    } finally {
      await server.close();
      dir.remove();
    }
  });

  it('refuses to start without tokens unless no-auth is explicit', async () => {
    const dir = tempDir('cache-auth');
    await expect(startCacheServer({ storage: new FileSystemStorage(dir.path) })).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    dir.remove();
  });
});
