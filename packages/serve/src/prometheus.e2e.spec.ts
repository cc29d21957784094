import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifests, resolveDeploySettings } from '@cairn/deploy';
import { ALERTS, buildPrometheusRules, RECORDS } from '@cairn/monitoring';
import { analyzeCanary, histogramQuantile as laneQuantile, runPrometheusChecks, windowOf } from './canary';
import { LATENCY_BUCKETS } from './model-metrics';
import { loadModel } from './load-model';
import { createModelServer } from './server';
import {
  closeServer,
  listen,
  parseMetrics,
  postJson,
  sampleValue,
  tempDir,
  writeNodeModel,
} from '../test/fixtures';
import { seededRandom } from '../../../tools/test-support/src';

const PROMETHEUS = '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Prometheus's histogram_quantile over cumulative buckets (promql/quantile.go):
 * linear interpolation inside the bucket holding rank q * total.
 */
function histogramQuantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)!.count;
  const rank = q * total;
  const b = sorted.findIndex((bucket) => bucket.count >= rank);
  if (b === sorted.length - 1) return sorted[b - 1]!.le;
  const start = b === 0 ? 0 : sorted[b - 1]!.le;
  const below = b === 0 ? 0 : sorted[b - 1]!.count;
  return start + (sorted[b]!.le - start) * ((rank - below) / (sorted[b]!.count - below));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

describe('cairn serve scraped by a real Prometheus, with the generated rules', () => {
  const tmp = tempDir('cairn-serve-prom-');
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let server: ReturnType<typeof createModelServer>;
  let serverUrl: string;
  let promLog = '';

  async function query(expr: string): Promise<Vector[]> {
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; data: { result: Vector[] }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  }

  async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; prometheus log:\n${promLog.slice(-3000)}`);
      await sleep(250);
    }
  }

  const scalar = async (expr: string) => {
    const result = await query(expr);
    return result.length === 1 ? Number(result[0]?.value[1]) : undefined;
  };

  // Reference: x uniform on [0, 10), so half the training rows are "big" (x > 5).
  const next = seededRandom(2024);
  const reference = Array.from({ length: 500 }, () => {
    const x = next() * 10;
    return { x, color: 'c', size: x > 5 ? 'big' : 'small' };
  });
  const trainedDaysAgo = 40;

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS))
      throw new Error(
        `${PROMETHEUS} is missing: run apt-get install -y prometheus (tools/oracles/check.mjs does)`,
      );
    const model = await loadModel(writeNodeModel(tmp.dir));
    server = createModelServer({
      model,
      modelName: 'toy',
      version: 'v7',
      reference,
      driftWindow: 300,
      trainingMetrics: { accuracy: 0.97 },
      lastTrainedSeconds: Math.floor(Date.now() / 1000) - trainedDaysAgo * 86400,
    });
    serverUrl = await listen(server);
    const rules = buildPrometheusRules(
      { project: 'toy', labels: ['big', 'small'], features: ['x'] },
      {
        error_rate: 0.01,
        drift_threshold: 0.1,
        staleness_days: 30,
        latency_p99_ms: 250,
        prediction_shift: 0.15,
      },
      { interval: '1s', for: Object.fromEntries(Object.values(ALERTS).map((a) => [a, '0s'])) },
    );
    writeFileSync(join(tmp.dir, 'rules.yml'), stringify(rules));
    writeFileSync(
      join(tmp.dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(tmp.dir, 'rules.yml')],
        scrape_configs: [
          { job_name: 'cairn-serve', static_configs: [{ targets: [serverUrl.replace('http://', '')] }] },
        ],
      }),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(tmp.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (c: Buffer) => (promLog += c.toString()));
    prometheus.stderr?.on('data', (c: Buffer) => (promLog += c.toString()));
    await waitFor('prometheus ready', async () =>
      (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined,
    );
    // Two scrapes before any traffic, so every counter has a zero sample to rate from.
    await waitFor('two scrapes of the model server', async () => {
      const count = await scalar('count_over_time(up{job="cairn-serve"}[1m])');
      return count !== undefined && count >= 2 ? count : undefined;
    });
  }, 180_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (server) await closeServer(server);
    tmp.cleanup();
  });

  it('records request rate, error ratio, class shares and drift as the traffic implies, and fires the right alerts', async () => {
    // 180 valid requests with shifted inputs (mostly "big"), 20 invalid ones: a 10% error share.
    const xs = Array.from({ length: 180 }, () => Math.sqrt(next()) * 12);
    const bad = 20;
    await Promise.all([
      ...xs.map((x) => postJson(`${serverUrl}/predict`, { x, color: 'c' })),
      ...Array.from({ length: bad }, () => postJson(`${serverUrl}/predict`, { x: 'oops', color: 'c' })),
    ]);
    const big = xs.filter((x) => x > 5).length;

    // Prometheus has scraped the final counts...
    await waitFor('the final request count', async () =>
      (await scalar('sum(cairn_model_requests_total{model="toy"})')) === xs.length + bad ? true : undefined,
    );
    expect(await scalar('cairn_model_predictions_total{model="toy",class="big"}')).toBe(big);
    // ...and the recording rules have been evaluated on them.
    const errorRatio = await waitFor('the error ratio record', async () => {
      const value = await scalar(`${RECORDS.errorRatio}{model="toy"}`);
      return value !== undefined && Math.abs(value - bad / (xs.length + bad)) < 1e-9 ? value : undefined;
    });
    expect(errorRatio).toBeCloseTo(0.1, 9);
    expect(await scalar(`sum(${RECORDS.requestRate}{model="toy"})`)).toBeGreaterThan(0);
    const statuses = await query(`${RECORDS.requestRate}{model="toy", status="400"}`);
    expect(Number(statuses[0]?.value[1])).toBeGreaterThan(0);
    expect(await scalar(`${RECORDS.classShare}{model="toy", class="big"}`)).toBeCloseTo(big / xs.length, 9);
    expect(await scalar(`${RECORDS.classShare}{model="toy", class="small"}`)).toBeCloseTo(
      1 - big / xs.length,
      9,
    );
    const trainingBig = reference.filter((r) => r.size === 'big').length / reference.length;
    expect(await scalar(`${RECORDS.classShift}{model="toy", class="big"}`)).toBeCloseTo(
      Math.abs(big / xs.length - trainingBig),
      9,
    );
    // The p99 Prometheus recorded is the one the server's own latency histogram implies
    // (whatever the latencies were on this machine: no wall-clock threshold).
    const served = parseMetrics(await (await fetch(`${serverUrl}/metrics`)).text());
    const expectedP99 = histogramQuantile(
      0.99,
      served
        .filter((s) => s.name === 'cairn_model_request_duration_seconds_bucket')
        .map((s) => ({ le: Number(s.labels.le), count: s.value })),
    );
    const p99 = await waitFor('the p99 latency record', async () => {
      const value = await scalar(`${RECORDS.latencyP99}{model="toy"}`);
      return value !== undefined && Math.abs(value - expectedP99) < 1e-9 ? value : undefined;
    });
    expect(p99).toBeGreaterThan(0);

    // The drift score Prometheus recorded is the one the server computes.
    const drift = sampleValue(served, 'cairn_model_feature_drift_score', { feature: 'x' });
    expect(drift).toBeGreaterThan(0.1);
    const recordedDrift = await waitFor('the drift record', async () => {
      const value = await scalar(`${RECORDS.maxDrift}{model="toy"}`);
      return value !== undefined && Math.abs(value - (drift as number)) < 1e-12 ? value : undefined;
    });
    expect(recordedDrift).toBeCloseTo(drift as number, 12);
    expect(await scalar(`${RECORDS.trainingAge}{model="toy"}`)).toBeGreaterThan(trainedDaysAgo * 86400 - 60);

    // With `for: 0s`, alerts reflect the recorded values directly: the latency alert fires
    // exactly when the recorded p99 is over the 250 ms threshold.
    const latencyFires = p99 > 0.25;
    const firing = await waitFor('the alerts', async () => {
      const alerts = await query('ALERTS{alertstate="firing", model="toy"}');
      const names = new Set(alerts.map((a) => a.metric.alertname));
      return names.has(ALERTS.errorRate) &&
        names.has(ALERTS.drift) &&
        names.has(ALERTS.staleness) &&
        names.has(ALERTS.predictionShift) &&
        names.has(ALERTS.latency) === latencyFires
        ? alerts
        : undefined;
    });
    expect(firing.some((a) => a.metric.alertname === ALERTS.latency)).toBe(latencyFires);
    expect(firing.filter((a) => a.metric.alertname === ALERTS.drift).map((a) => a.metric.feature)).toEqual([
      'x',
    ]);
  }, 180_000);

  it('the generated AnalysisTemplate queries, run on this Prometheus, judge a canary as the in-process analysis does', async () => {
    const thresholds = { error_rate: 0.01, latency_p99_ms: 250, prediction_shift: 0.15 };
    const monitored = { project: 'toy', labels: ['big', 'small'], features: ['x'], thresholds };
    const template = buildManifests({
      model: monitored,
      version: 'v8',
      settings: resolveDeploySettings('toy', 'v8'),
    })
      .find((o) => o.kind === 'AnalysisTemplate')!
      .toJSON() as {
      spec: {
        metrics: Array<{
          name: string;
          successCondition: string;
          provider: { prometheus: { query: string } };
        }>;
      };
    };
    // Argo Rollouts substitutes the argument the Rollout passes: the canary's version.
    const checks = template.spec.metrics.map((metric) => ({
      name: metric.name,
      query: metric.provider.prometheus.query.replaceAll('{{args.canary-version}}', 'v8'),
      max: Number(/^result\[0\] <= (.+)$/.exec(metric.successCondition)![1]),
    }));
    expect(checks.map((c) => c.name)).toEqual(['error-rate', 'latency-p99', 'prediction-shift']);

    // A challenger that fails on x < 2, taking every other request.
    const base = await loadModel(writeNodeModel(tmp.dir));
    const failing = {
      ...base,
      manifest: base.manifest,
      artifactDir: base.artifactDir,
      predict: async (rows: Array<Record<string, string | number>>) => {
        if (rows.some((row) => (row.x as number) < 2)) throw new Error('challenger broke');
        return base.predict(rows);
      },
      close: () => base.close(),
    };
    await server.traffic.setChallenger({ model: failing, version: 'v8' }, { mode: 'canary', weight: 50 });
    const start = server.traffic.laneMetrics('challenger')!.snapshot();
    const championStart = server.traffic.laneMetrics('champion')!.snapshot();
    // Two scrapes of the challenger's zero counters before its traffic.
    await waitFor('the challenger series', async () => {
      const count = await scalar(
        'count_over_time(cairn_model_requests_total{version="v8",status="200"}[1m])',
      );
      return count !== undefined && count >= 2 ? count : undefined;
    });
    const xs = Array.from({ length: 200 }, () => next() * 10);
    for (const x of xs) await postJson(`${serverUrl}/predict`, { x, color: 'c' });
    const lane = windowOf(start, server.traffic.laneMetrics('challenger')!.snapshot());
    const championWindow = windowOf(championStart, server.traffic.laneMetrics('champion')!.snapshot());
    expect(lane.requests).toBe(100);
    expect(lane.errors).toBeGreaterThan(0);
    await waitFor('the challenger counts', async () =>
      (await scalar('sum(cairn_model_requests_total{version="v8"})')) === 100 ? true : undefined,
    );

    const results = await runPrometheusChecks(promUrl, checks);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    // Rates over one window with the same scrapes: the ratio is exactly the ratio of increases.
    expect(byName['error-rate']!.value).toBeCloseTo(lane.errors / lane.requests, 9);
    expect(byName['error-rate']!.pass).toBe(false);
    expect(byName['latency-p99']!.value).toBeCloseTo(
      laneQuantile(0.99, LATENCY_BUCKETS, lane.latencyCounts),
      9,
    );
    expect(Number.isNaN(byName['prediction-shift']!.value)).toBe(false);

    const verdict = analyzeCanary(championWindow, lane, {
      thresholds: { ...thresholds, accuracy_drop: 0.05 },
      minRequests: 100,
    });
    expect(verdict.decision).toBe('rollback');
    const local = Object.fromEntries(verdict.checks.map((c) => [c.name, c.pass]));
    expect(local['error-rate']).toBe(byName['error-rate']!.pass);
    expect(local['latency-p99']).toBe(byName['latency-p99']!.pass);
    await server.traffic.rollback();
  }, 180_000);
});
