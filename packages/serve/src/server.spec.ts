import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model';
import { createModelServer } from './server';
import {
  closeServer,
  listen,
  parseMetrics,
  postJson,
  PYTHON,
  sampleValue,
  tempDir,
  writeNodeModel,
  writePythonModel,
} from '../test/fixtures';
import { seededRandom } from '../../../tools/test-support/src';

describe('createModelServer (node model)', () => {
  const tmp = tempDir();
  let url: string;
  let server: ReturnType<typeof createModelServer>;
  beforeAll(async () => {
    const model = await loadModel(writeNodeModel(tmp.dir));
    server = createModelServer({
      model,
      modelName: 'toy',
      version: 'v1',
      trainingMetrics: { accuracy: 0.93, f1_macro: 0.91 },
      lastTrainedSeconds: 1_700_000_000,
    });
    url = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
    tmp.cleanup();
  });

  it('predicts single rows and batches', async () => {
    expect(await postJson(`${url}/predict`, { x: 6, color: 'red' })).toEqual({
      status: 200,
      json: { predictions: [{ label: 'big', probabilities: [1, 0] }] },
    });
    expect((await postJson(`${url}/predict`, { row: { x: 1, color: 'red' } })).json.predictions).toEqual([
      { label: 'small', probabilities: [0, 1] },
    ]);
    const batch = await postJson(`${url}/predict`, {
      rows: [
        { x: 1, color: 'a' },
        { x: 9, color: 'b' },
        { x: 5, color: 'c' },
      ],
    });
    expect((batch.json.predictions as Array<{ label: string }>).map((p) => p.label)).toEqual([
      'small',
      'big',
      'small',
    ]);
  });

  it('answers a bad request with a 400 naming the field, and keeps serving', async () => {
    const bad = await postJson(`${url}/predict`, {
      rows: [
        { x: 1, color: 'a' },
        { x: 'high', color: 'b' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({
      code: 'SERVE_INVALID_ROW',
      field: 'x',
      row: 1,
      pointer: '/rows/1/x',
      expected: 'number',
    });
    expect((await postJson(`${url}/predict`, '{"rows": [')).json.error).toMatchObject({
      code: 'SERVE_INVALID_JSON',
    });
    expect((await postJson(`${url}/predict`, { rows: [] })).status).toBe(400);
    expect((await postJson(`${url}/predict`, { x: 2, color: 'explode' })).status).toBe(500);
    expect((await postJson(`${url}/predict`, { x: 7, color: 'ok' })).status).toBe(200);
  });

  it('has /healthz, 404 and 405', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', model: 'toy', version: 'v1', runtime: 'node' });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/predict`)).status).toBe(405);
  });

  it('exports the documented series with the counts of the traffic it saw', async () => {
    const fresh = tempDir();
    const model = await loadModel(writeNodeModel(fresh.dir));
    const own = createModelServer({
      model,
      modelName: 'toy',
      version: 'v2',
      trainingMetrics: { accuracy: 0.9 },
      lastTrainedSeconds: 1234,
    });
    const ownUrl = await listen(own);
    try {
      // Every series a rate or ratio needs exists at zero before the first request.
      const before = parseMetrics(await (await fetch(`${ownUrl}/metrics`)).text());
      for (const [name, extra] of [
        ['cairn_model_requests_total', { status: '200' }],
        ['cairn_model_requests_total', { status: '400' }],
        ['cairn_model_request_duration_seconds_count', {}],
        ['cairn_model_predictions_total', { class: 'big' }],
      ] as const) {
        expect(sampleValue(before, name, { model: 'toy', version: 'v2', ...extra }), name).toBe(0);
      }
      const next = seededRandom(7);
      const xs = Array.from({ length: 60 }, () => Math.round(next() * 1000) / 100);
      for (let i = 0; i < xs.length; i += 3)
        await postJson(`${ownUrl}/predict`, { rows: xs.slice(i, i + 3).map((x) => ({ x, color: 'c' })) });
      for (let i = 0; i < 4; i += 1) await postJson(`${ownUrl}/predict`, { x: 'bad', color: 'c' });
      const text = await (await fetch(`${ownUrl}/metrics`)).text();
      const samples = parseMetrics(text);
      const labels = { model: 'toy', version: 'v2' };
      expect(sampleValue(samples, 'cairn_model_requests_total', { ...labels, status: '200' })).toBe(20);
      expect(sampleValue(samples, 'cairn_model_requests_total', { ...labels, status: '400' })).toBe(4);
      expect(sampleValue(samples, 'cairn_model_requests_total', { ...labels, status: '500' })).toBe(0);
      expect(sampleValue(samples, 'cairn_model_request_duration_seconds_count', labels)).toBe(24);
      expect(sampleValue(samples, 'cairn_model_predictions_total', { ...labels, class: 'big' })).toBe(
        xs.filter((x) => x > 5).length,
      );
      expect(sampleValue(samples, 'cairn_model_predictions_total', { ...labels, class: 'small' })).toBe(
        xs.filter((x) => x <= 5).length,
      );
      expect(sampleValue(samples, 'cairn_model_info', labels)).toBe(1);
      expect(sampleValue(samples, 'cairn_model_training_metric', { ...labels, metric: 'accuracy' })).toBe(
        0.9,
      );
      expect(sampleValue(samples, 'cairn_model_last_trained_timestamp_seconds', labels)).toBe(1234);
      // Feature histogram: only valid rows count; every bucket agrees with a direct count.
      const feature = { model: 'toy', feature: 'x' };
      expect(sampleValue(samples, 'cairn_model_feature_value_count', feature)).toBe(xs.length);
      expect(sampleValue(samples, 'cairn_model_feature_value_sum', feature)).toBeCloseTo(
        xs.reduce((a, b) => a + b, 0),
        9,
      );
      for (const bucket of samples.filter((s) => s.name === 'cairn_model_feature_value_bucket')) {
        const le = bucket.labels.le === '+Inf' ? Infinity : Number(bucket.labels.le);
        expect(bucket.value).toBe(xs.filter((x) => x <= le).length);
      }
      expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
      expect(samples.some((s) => s.name === 'cairn_model_feature_drift_score')).toBe(false);
      // The real Prometheus parser: exit 0, or 3 for lint-only remarks on prom-client's default gauges.
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect([0, 3], check.stderr + check.stdout).toContain(check.status);
      expect(check.stderr + check.stdout).not.toMatch(/error while linting|parse error/);
    } finally {
      await closeServer(own);
      fresh.cleanup();
    }
  });

  it('exports drift scores and class shares against a reference, matching a numpy computation', async () => {
    const fresh = tempDir();
    const model = await loadModel(writeNodeModel(fresh.dir));
    const next = seededRandom(11);
    const reference = Array.from({ length: 400 }, () => ({
      x: next() * 10,
      color: 'c',
      size: next() < 0.3 ? 'big' : 'small',
    }));
    const own = createModelServer({
      model,
      modelName: 'toy',
      version: 'v3',
      reference,
      driftWindow: 200,
      driftMinSamples: 50,
    });
    const ownUrl = await listen(own);
    try {
      // Shifted live traffic: x skewed towards high values; more than the window, so only the last 200 count.
      const live = Array.from({ length: 260 }, () => Math.sqrt(next()) * 12);
      for (let i = 0; i < live.length; i += 20)
        await postJson(`${ownUrl}/predict`, { rows: live.slice(i, i + 20).map((x) => ({ x, color: 'c' })) });
      const samples = parseMetrics(await (await fetch(`${ownUrl}/metrics`)).text());
      const score = sampleValue(samples, 'cairn_model_feature_drift_score', { model: 'toy', feature: 'x' });
      const dir = fresh.dir;
      writeFileSync(
        join(dir, 'psi.json'),
        JSON.stringify({ reference: reference.map((r) => r.x), current: live.slice(-200) }),
      );
      const oracle = Number(
        execFileSync(
          PYTHON,
          [
            '-c',
            `import json, sys, numpy as np
d = json.load(open(sys.argv[1]))
ref, cur = np.array(d["reference"]), np.array(d["current"])
edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
count = lambda v: np.bincount(np.searchsorted(edges, v, side="left"), minlength=len(edges) + 1) / len(v)
e, a = count(ref), count(cur)
e[e == 0] = 0.0001; a[a == 0] = 0.0001
print(repr(float(np.sum((a - e) * np.log(a / e)))))`,
            join(dir, 'psi.json'),
          ],
          { encoding: 'utf8' },
        ),
      );
      expect(score).toBeGreaterThan(0.1);
      expect(score).toBeCloseTo(oracle, 12);
      const bigShare = reference.filter((r) => r.size === 'big').length / reference.length;
      expect(
        sampleValue(samples, 'cairn_model_training_class_share', { model: 'toy', class: 'big' }),
      ).toBeCloseTo(bigShare, 12);
      // The feature buckets are the reference deciles.
      const bounds = samples
        .filter((s) => s.name === 'cairn_model_feature_value_bucket')
        .map((s) => s.labels.le);
      expect(bounds).toHaveLength(10);
    } finally {
      await closeServer(own);
      fresh.cleanup();
    }
  });

  it('with metrics off, serves predictions without /metrics', async () => {
    const fresh = tempDir();
    const own = createModelServer({
      model: await loadModel(writeNodeModel(fresh.dir)),
      modelName: 'toy',
      version: 'v1',
      metrics: false,
    });
    const ownUrl = await listen(own);
    try {
      expect((await postJson(`${ownUrl}/predict`, { x: 6, color: 'a' })).status).toBe(200);
      expect((await fetch(`${ownUrl}/metrics`)).status).toBe(404);
    } finally {
      await closeServer(own);
      fresh.cleanup();
    }
  });
});

describe('createModelServer (python model)', () => {
  it('serves every HTTP request from the same worker process', async () => {
    const tmp = tempDir();
    const model = await loadModel(writePythonModel(tmp.dir), { python: PYTHON, log: () => {} });
    const server = createModelServer({ model, modelName: 'py', version: 'v1' });
    const url = await listen(server);
    try {
      const pids = new Set<number>();
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          postJson(`${url}/predict`, { rows: [{ x: i % 10, color: 'a' }] }),
        ),
      );
      responses.forEach((response, i) => {
        const [prediction] = response.json.predictions as Array<{ label: string; pid: number }>;
        expect(prediction?.label).toBe(i % 10 > 5 ? 'big' : 'small');
        pids.add(prediction?.pid as number);
      });
      expect([...pids]).toEqual([model.workerPid]);
      const failed = await postJson(`${url}/predict`, { x: -1, color: 'a' });
      expect(failed.status).toBe(500);
      expect(failed.json.error).toMatchObject({ code: 'MODEL_PREDICT_FAILED' });
    } finally {
      await closeServer(server);
      tmp.cleanup();
    }
  });
});
