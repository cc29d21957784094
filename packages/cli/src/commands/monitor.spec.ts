import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeMonitoring } from '@cairn/pipeline';

let dir: string;

const cairn = (...args: string[]) => runCli(args);

function writeModel(project: string, monitoring: unknown): string {
  const folder = join(dir, 'models', project);
  mkdirSync(join(folder, 'artifact'), { recursive: true });
  writeFileSync(
    join(folder, 'model.json'),
    JSON.stringify({ task: 'multiclass', label: 'species', monitoring }),
  );
  writeFileSync(
    join(folder, 'artifact', 'cairn-model.json'),
    JSON.stringify({
      runtime: 'python',
      entry: 'serve.py',
      task: 'multiclass',
      label: 'species',
      labels: ['setosa', 'versicolor', 'virginica'],
      features: [
        { name: 'petal_length', type: 'number' },
        { name: 'island', type: 'string' },
      ],
    }),
  );
  return folder;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-monitor-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

describe('cairn monitor', () => {
  it('writes a dashboard, rules and rule tests that promtool accepts, with model.json thresholds', async () => {
    const folder = writeModel('iris', { latency_p99_ms: 500, error_rate: 0.02 });
    const out = join(folder, 'monitoring');
    const run = await cairn(
      'monitor',
      '--model',
      join(folder, 'model.json'),
      '--out',
      out,
      '--artifact',
      join(folder, 'artifact'),
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { project: string; dashboardUid: string; files: string[] };
    expect(result).toMatchObject({ project: 'iris', dashboardUid: 'cairn-iris' });
    expect(result.files.map((f) => f.slice(out.length + 1)).sort()).toEqual([
      'dashboard.json',
      'rules.test.yml',
      'rules.yml',
    ]);
    const dashboard = JSON.parse(readFileSync(join(out, 'dashboard.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ title: string }>;
    };
    expect(dashboard.panels.map((p) => p.title)).toContain('Feature petal_length');
    expect(dashboard.panels.map((p) => p.title)).not.toContain('Feature island');
    const rules = readFileSync(join(out, 'rules.yml'), 'utf8');
    expect(rules).toContain('cairn_model:request_duration_seconds:p99_rate5m{model="iris"} > 0.5');
    expect(rules).toContain('cairn_model:request_errors:ratio_rate5m{model="iris"} > 0.02');
    // The rule tests use the artifact's class labels for their synthetic prediction series.
    expect(readFileSync(join(out, 'rules.test.yml'), 'utf8')).toContain('class="virginica"');
    const check = spawnSync('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: out, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('exits 2 naming the JSON pointer of a bad threshold', async () => {
    const folder = writeModel('bad', { error_rate: 2 });
    const run = await cairn('monitor', '--model', join(folder, 'model.json'), '--out', join(folder, 'out'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CONFIG_INVALID');
    expect(run.stderr).toContain('/monitoring/error_rate');
  });

  it('--publish needs GRAFANA_URL and GRAFANA_TOKEN, and publishes idempotently', async () => {
    const folder = writeModel('penguins', undefined);
    const options = { modelFile: join(folder, 'model.json'), out: join(folder, 'out'), publish: true };
    await expect(writeMonitoring({ ...options, env: {} })).rejects.toMatchObject({
      code: 'GRAFANA_NOT_CONFIGURED',
    });
    const stored = new Map<string, unknown>();
    const grafana: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        if (request.headers.authorization !== 'Bearer t0ken') {
          response.statusCode = 401;
          return response.end('{"message":"Unauthorized"}');
        }
        if (request.method === 'GET') {
          const uid = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
          response.statusCode = stored.has(uid) ? 200 : 404;
          return response.end(
            JSON.stringify(
              stored.has(uid) ? { dashboard: stored.get(uid), meta: {} } : { message: 'not found' },
            ),
          );
        }
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { dashboard: { uid: string } };
        stored.set(body.dashboard.uid, { ...body.dashboard, id: 1, version: 1 });
        response.end(JSON.stringify({ status: 'success', uid: body.dashboard.uid }));
      });
    });
    await new Promise<void>((resolve) => grafana.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        GRAFANA_URL: `http://127.0.0.1:${(grafana.address() as AddressInfo).port}`,
        GRAFANA_TOKEN: 't0ken',
      };
      expect((await writeMonitoring({ ...options, env })).published).toBe('created');
      expect((await writeMonitoring({ ...options, env })).published).toBe('unchanged');
      expect([...stored.keys()]).toEqual(['cairn-penguins']);
    } finally {
      await new Promise<void>((resolve) => grafana.close(() => resolve()));
    }
  });
});
