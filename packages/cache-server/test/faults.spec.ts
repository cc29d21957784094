import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { b3sum, bearer, send, tempDir } from './helpers';
import { seededBytes, seededRandom, waitUntil } from '../../../tools/test-support/src';

const rand = seededRandom(102);

const TOKEN = 'fault-test-token-0123456789';
const repoRoot = process.env.CAIRN_REPO_ROOT!;

/** Starts the server in a child process (TypeScript sources through @swc-node/register). */
async function startChild(
  root: string,
  port = 0,
): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cairn/source',
      '-r',
      '@swc-node/register',
      join(__dirname, 'fixtures', 'child-server.ts'),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CACHE_ROOT: root, CACHE_PORT: String(port), CACHE_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
  });
  const { url, port: actual } = JSON.parse(line) as { url: string; port: number };
  return { child, url, port: actual };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('crash safety', () => {
  it('loses no acknowledged entry and shows no partial one after SIGKILL mid-upload', async () => {
    const dir = tempDir('cache-crash');
    try {
      const first = await startChild(dir.path);
      children.push(first.child);
      // Acknowledged entries are uploaded 24 at once, so they share folder syncs (group commit); sizes
      // straddle the one-write path (<= 1 MiB, written O_DSYNC) and the streamed one (fdatasync at the end).
      const MiB = 1024 * 1024;
      const sizes = [
        0,
        1,
        1000,
        MiB - 1,
        MiB,
        MiB + 1,
        3 * MiB,
        ...Array.from({ length: 13 }, (_, i) => 1000 + i * 5000),
      ];
      const acknowledged = new Map<string, Buffer>();
      await Promise.all(
        sizes.map(async (size, i) => {
          const hash = String(1000 + i);
          const body = seededBytes(rand, size);
          const reply = await send(`${first.url}/v1/cache/${hash}`, {
            method: 'PUT',
            headers: bearer(TOKEN),
            body,
          });
          expect(reply.status).toBe(200);
          acknowledged.set(hash, body);
        }),
      );
      const objects = [1, MiB + 1, 5000, 70_000].map((size) => seededBytes(rand, size));
      const objectIds = objects.map((body) => b3sum(body));
      await Promise.all(
        objects.map(async (body, i) => {
          const reply = await send(`${first.url}/v1/objects/${objectIds[i]}`, {
            method: 'PUT',
            headers: bearer(TOKEN),
            body,
          });
          expect(reply.status).toBe(200);
        }),
      );
      // Small uploads racing the kill: after the restart each is absent or complete, never partial.
      const racing = Array.from({ length: 16 }, (_, i) => ({
        hash: String(5000 + i),
        body: seededBytes(rand, 200_000 + i * 60_000),
      }));
      const raced = racing.map(({ hash, body }) =>
        send(`${first.url}/v1/cache/${hash}`, { method: 'PUT', headers: bearer(TOKEN), body }).catch(
          () => undefined,
        ),
      );
      // Start two large uploads (a cache entry and a data object), send part of each, then kill the server.
      const partial = seededBytes(rand, 4 * 1024 * 1024);
      const objectId = createHash('sha256').update(partial).digest('hex');
      const inFlight = ['/v1/cache/999999', `/v1/objects/${objectId}`].map(
        (path) =>
          new Promise<void>((resolve) => {
            const req = httpRequest(`${first.url}${path}`, {
              method: 'PUT',
              headers: { ...bearer(TOKEN), 'Content-Length': String(64 * 1024 * 1024) },
            });
            req.on('error', () => resolve());
            req.on('response', () => resolve());
            req.write(partial);
          }),
      );
      // The cache entry is being written out of sight (a hidden temp file), not under its final name.
      const cacheTemps = () =>
        readdirSync(join(dir.path, 'cache')).filter((name) => name.startsWith('.999999.'));
      await waitUntil(() => cacheTemps().length > 0);
      expect(cacheTemps()).toHaveLength(1);
      expect(readdirSync(join(dir.path, 'cache'))).not.toContain('999999');
      first.child.kill('SIGKILL');
      await killed(first.child);
      await Promise.all([...inFlight, ...raced]);

      const second = await startChild(dir.path, first.port);
      children.push(second.child);
      expect((await send(`${second.url}/v1/cache/999999`, { headers: bearer(TOKEN) })).status).toBe(404);
      expect((await send(`${second.url}/v1/objects/${objectId}`, { headers: bearer(TOKEN) })).status).toBe(
        404,
      );
      for (const [hash, body] of acknowledged) {
        const reply = await send(`${second.url}/v1/cache/${hash}`, { headers: bearer(TOKEN) });
        expect(reply.status, hash).toBe(200);
        expect(reply.body.equals(body), hash).toBe(true);
      }
      for (const [i, id] of objectIds.entries()) {
        const reply = await send(`${second.url}/v1/objects/${id}`, { headers: bearer(TOKEN) });
        expect(reply.status, id).toBe(200);
        expect(b3sum(reply.body), id).toBe(id);
        expect(reply.body.equals(objects[i]!), id).toBe(true);
      }
      const landed: string[] = [];
      for (const { hash, body } of racing) {
        const reply = await send(`${second.url}/v1/cache/${hash}`, { headers: bearer(TOKEN) });
        expect([200, 404], hash).toContain(reply.status);
        if (reply.status === 200) {
          expect(reply.body.equals(body), hash).toBe(true);
          landed.push(hash);
        }
      }
      // The restart swept the interrupted temp files; only entries that were complete remain.
      expect(readdirSync(join(dir.path, 'cache')).sort()).toEqual([...acknowledged.keys(), ...landed].sort());
      expect(
        (await send(`${second.url}/v1/cache/999999`, { method: 'PUT', headers: bearer(TOKEN), body: 'ok' }))
          .status,
      ).toBe(200);
    } finally {
      dir.remove();
    }
  });
});
