import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { add } from '@cairn/store';
import { closeRunningServers } from '@cairn/pipeline';

let dir: string;

const cairn = (...args: string[]) => runCli(args);

/** models/<project>/model.json + models/<project>/artifact: a node model labelling x > 5 as "big". */
function writeProject(root: string, project: string): string {
  const artifact = join(root, 'models', project, 'artifact');
  mkdirSync(artifact, { recursive: true });
  writeFileSync(
    join(root, 'models', project, 'model.json'),
    JSON.stringify({ task: 'binary', label: 'size' }),
  );
  writeFileSync(
    join(artifact, 'predict.cjs'),
    "module.exports = { load: async () => ({ predict: (rows) => rows.map((r) => ({ label: r.x > 5 ? 'big' : 'small' })) }) };",
  );
  writeFileSync(
    join(artifact, 'cairn-model.json'),
    JSON.stringify({
      runtime: 'node',
      entry: 'predict.cjs',
      task: 'binary',
      label: 'size',
      labels: ['big', 'small'],
      features: [{ name: 'x', type: 'number' }],
    }),
  );
  return artifact;
}

async function predict(
  url: string,
  body: unknown,
): Promise<{ status: number; json: { predictions?: Array<{ label: string }>; error?: { field?: string } } }> {
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-serve-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await closeRunningServers();
  process.exitCode = undefined;
});

describe('cairn serve', () => {
  it('serves an artifact folder, naming the model after its project', async () => {
    const artifact = writeProject(dir, 'iris');
    const reference = join(dir, 'train.csv');
    writeFileSync(
      reference,
      `x,size\n${Array.from({ length: 100 }, (_, i) => `${i / 10},${i / 10 > 5 ? 'big' : 'small'}`).join('\n')}\n`,
    );
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ accuracy: 0.95, note: 'ignored' }));
    const run = await cairn(
      'serve',
      artifact,
      '--port',
      '0',
      '--json',
      '--reference',
      reference,
      '--training-metrics',
      join(dir, 'metrics.json'),
      '--trained-at',
      '2026-01-02T00:00:00Z',
    );
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout) as { url: string; model: string; version: string; runtime: string };
    expect(info).toMatchObject({ model: 'iris', runtime: 'node' });
    expect(info.version).toMatch(/^[0-9a-f]{12}$/);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await predict(info.url, { rows: [{ x: 7 }, { x: 1 }] })).toEqual({
      status: 200,
      json: { predictions: [{ label: 'big' }, { label: 'small' }] },
    });
    const bad = await predict(info.url, { x: 'seven' });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.field).toBe('x');
    const metrics = await (await fetch(`${info.url}/metrics`)).text();
    expect(metrics).toContain(
      `cairn_model_requests_total{model="iris",version="${info.version}",status="400"} 1`,
    );
    expect(metrics).toContain(
      `cairn_model_training_metric{model="iris",version="${info.version}",metric="accuracy"} 0.95`,
    );
    expect(metrics).toContain(
      `cairn_model_last_trained_timestamp_seconds{model="iris",version="${info.version}"} ${Date.parse('2026-01-02T00:00:00Z') / 1000}`,
    );
    expect(metrics).toContain(
      'cairn_model_training_class_share{model="iris",version="' + info.version + '",class="big"} 0.49',
    );
  });

  it('serves from a .cairn pointer file, versioned by its hash, and --no-metrics turns /metrics off', async () => {
    const root = join(dir, 'workspace');
    const artifact = writeProject(root, 'wine');
    const [pointer] = await add(root, [artifact]);
    const run = await cairn(
      'serve',
      `${artifact}.cairn`,
      '--port',
      '0',
      '--json',
      '--no-metrics',
      '--name',
      'wine-prod',
    );
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout) as { url: string; model: string; version: string; metrics: boolean };
    expect(info).toMatchObject({ model: 'wine-prod', version: pointer?.hash.slice(0, 12), metrics: false });
    expect((await predict(info.url, { x: 9 })).json.predictions).toEqual([{ label: 'big' }]);
    expect((await fetch(`${info.url}/metrics`)).status).toBe(404);
  });

  it('exits 2 with a named error for a folder without a manifest or a bad port', async () => {
    const missing = await cairn('serve', join(dir, 'nothing-here'), '--port', '0');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('MODEL_MANIFEST_NOT_FOUND');
    const port = await cairn('serve', writeProject(dir, 'other'), '--port', 'http');
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('OPTION_INVALID');
  });
});
