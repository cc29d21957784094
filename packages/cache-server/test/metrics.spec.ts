import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer } from '../src';
import { bearer, READ_TOKEN, send, tempDir, TOKENS, WRITE_TOKEN } from './helpers';

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('/metrics and /healthz', () => {
  it('exposes request, byte, hit-ratio and latency metrics that promtool parses', async () => {
    const dir = tempDir('cache-metrics');
    const logs: Record<string, unknown>[] = [];
    const server = await startCacheServer({
      storage: new FileSystemStorage(dir.path),
      tokens: TOKENS,
      log: (e) => logs.push(e),
    });
    try {
      expect((await send(`${server.url}/healthz`)).status).toBe(200);
      await send(`${server.url}/v1/cache/1`, {
        method: 'PUT',
        headers: bearer(WRITE_TOKEN),
        body: Buffer.alloc(1000),
      });
      for (const hash of ['1', '1', '1', '2'])
        await send(`${server.url}/v1/cache/${hash}`, { headers: bearer(READ_TOKEN) });
      await send(`${server.url}/v1/cache/3`);
      const reply = await send(`${server.url}/metrics`);
      const text = reply.body.toString();

      expect(sample(text, 'cairn_cache_hit_ratio')).toBeCloseTo(3 / 4, 6);
      expect(sample(text, 'cairn_cache_requests_total', 'route="cache",method="GET",status="200"')).toBe(3);
      expect(sample(text, 'cairn_cache_requests_total', 'route="cache",method="GET",status="404"')).toBe(1);
      expect(sample(text, 'cairn_cache_requests_total', 'route="cache",method="GET",status="401"')).toBe(1);
      expect(sample(text, 'cairn_cache_received_bytes_total', 'route="cache"')).toBe(1000);
      expect(sample(text, 'cairn_cache_sent_bytes_total', 'route="cache"')).toBe(3000);
      expect(sample(text, 'cairn_cache_request_duration_seconds_count', 'route="cache",method="GET"')).toBe(
        5,
      );

      // The real Prometheus linter: exit 0 (clean) or 3 (lint warnings on default nodejs_* gauges); 1 is a parse error.
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect([0, 3], check.stdout + check.stderr).toContain(check.status);
      expect(check.stdout + check.stderr).not.toMatch(/cairn_cache/);

      // One structured log line per request.
      expect(logs.filter((entry) => entry.route === 'cache')).toHaveLength(6);
      expect(logs.find((entry) => entry.status === 401)).toMatchObject({
        method: 'GET',
        path: '/v1/cache/3',
      });
    } finally {
      await server.close();
      dir.remove();
    }
  });
});
