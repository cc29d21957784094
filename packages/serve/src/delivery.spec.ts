import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../tools/test-support/src';
import { closeServer, listen, parseMetrics, postJson, sampleValue, tempDir } from '../test/fixtures';
import {
  analyzeCanary,
  CanaryController,
  histogramQuantile,
  type CanaryAuditEntry,
  type CanaryThresholds,
} from './canary';
import type { LoadedModel } from './load-model';
import type { ModelManifest, Row } from './manifest';
import { LATENCY_BUCKETS, type LaneSnapshot } from './model-metrics';
import { CURRENT_LOG, LOG_COLUMNS, PredictionLog, readLoggedWindow, sampled } from './prediction-log';
import { createModelServer, type ModelServer } from './server';
import { parseTrafficPolicy, stickyBucket, TrafficRouter } from './traffic';

const SEED = Number(process.env.CAIRN_TEST_SEED ?? 20261201);
const MANIFEST: ModelManifest = {
  runtime: 'node',
  entry: 'in-process',
  task: 'binary',
  label: 'size',
  labels: ['big', 'small'],
  features: [
    { name: 'x', type: 'number' },
    { name: 'color', type: 'string' },
  ],
};

/**
 * An in-process model (x > 5 → big). `failShare` of its rows fail (by a hash
 * of x, so the same row always fails); every prediction waits a turn of the
 * event loop, so requests overlap as they do with a real worker.
 */
function toyModel(options: { failShare?: number; flip?: boolean } = {}) {
  const state = { inflight: 0, inflightAtClose: -1, closed: 0 };
  const model: LoadedModel = {
    manifest: MANIFEST,
    artifactDir: '/nonexistent',
    async predict(rows: Row[]) {
      state.inflight += 1;
      try {
        await new Promise((done) => setImmediate(done));
        return rows.map((row) => {
          const x = row.x as number;
          if (options.failShare && Math.abs(Math.sin(x * 12.9898) * 43758.5453) % 1 < options.failShare)
            throw new Error('challenger broke');
          const big = options.flip ? x <= 5 : x > 5;
          return { label: big ? 'big' : 'small' };
        });
      } finally {
        state.inflight -= 1;
      }
    },
    async close() {
      state.closed += 1;
      state.inflightAtClose = state.inflight;
    },
  };
  return { model, state };
}

const LOOSE: CanaryThresholds = {
  error_rate: 0.01,
  // Loopback latency on a shared 2-core machine is not what these tests judge: see the analyzeCanary cases.
  latency_p99_ms: 60_000,
  prediction_shift: 0.15,
  accuracy_drop: 0.05,
};

const scratch = tempDir('cairn-delivery-');
afterAll(() => scratch.cleanup());

describe('traffic policies', () => {
  it('canary: the challenger answers exactly ⌊n·weight/100⌋ of n requests, evenly spread', () => {
    for (const weight of [0, 1, 10, 33, 50, 100]) {
      const router = new TrafficRouter({ mode: 'canary', weight });
      let challenger = 0;
      for (let n = 1; n <= 1000; n++) {
        if (router.route(undefined).answer === 'challenger') challenger += 1;
        expect(challenger).toBe(Math.floor((n * weight) / 100));
      }
    }
  });

  it('ab: a key always gets the same version; about weight% of keys get the challenger (seeded)', () => {
    const random = seededRandom(SEED);
    const router = new TrafficRouter({ mode: 'ab', weight: 30, header: 'x-user' });
    const keys = Array.from({ length: 4000 }, () => `user-${Math.floor(random() * 1e9)}`);
    const first = keys.map((key) => router.route(key).answer);
    expect(keys.map((key) => router.route(key).answer)).toEqual(first);
    const share = first.filter((a) => a === 'challenger').length / keys.length;
    // Binomial(4000, 0.3): 5 standard deviations is 0.036.
    expect(Math.abs(share - 0.3)).toBeLessThan(0.036);
    expect(router.route(undefined).answer).toBe('champion');
    expect(stickyBucket('user-1')).toBe(stickyBucket('user-1'));
  });

  it('bad policies are refused with SERVE_TRAFFIC_INVALID', () => {
    for (const bad of [
      null,
      { mode: 'canary', weight: 101 },
      { mode: 'canary', weight: 2.5 },
      { mode: 'ab', weight: 10 },
      { mode: 'ab', weight: 10, header: 'x', field: 'y' },
      { mode: 'ab', weight: 10, header: 'bad header' },
      { mode: 'blue-green' },
    ]) {
      expect(() => parseTrafficPolicy(bad, '--traffic'), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'SERVE_TRAFFIC_INVALID' }),
      );
    }
    expect(parseTrafficPolicy({ mode: 'ab', weight: 5, header: 'X-User' })).toEqual({
      mode: 'ab',
      weight: 5,
      header: 'x-user',
    });
  });
});

async function started(
  options: Parameters<typeof createModelServer>[0],
): Promise<{ server: ModelServer; url: string }> {
  const server = createModelServer(options);
  return { server, url: await listen(server) };
}

async function predict(url: string, row: Row, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ rows: [row] }),
  });
  return { response, json: (await response.json()) as { predictions: Array<{ label: string }> } };
}

describe('labelled serving: headers, shadow, sticky A/B over HTTP', () => {
  it('every answer and series names the version and alias; a shadow sees every request and answers none', async () => {
    const champion = toyModel();
    const shadowModel = toyModel({ flip: true });
    const { server, url } = await started({
      model: champion.model,
      modelName: 'toy',
      version: 'v1',
      alias: 'champion',
    });
    try {
      await server.traffic.setChallenger({ model: shadowModel.model, version: 'v2' }, { mode: 'shadow' });
      for (let x = 0; x < 20; x++) {
        const { response, json } = await predict(url, { x, color: 'red' });
        expect(response.headers.get('x-cairn-version')).toBe('v1');
        expect(response.headers.get('x-cairn-alias')).toBe('champion');
        expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(json.predictions[0]!.label).toBe(x > 5 ? 'big' : 'small');
      }
      const { response } = await predict(url, { x: 1, color: 'red' }, { 'x-request-id': 'client-7' });
      expect(response.headers.get('x-request-id')).toBe('client-7');
      await new Promise((done) => setTimeout(done, 20));
      const samples = parseMetrics(await (await fetch(`${url}/metrics`)).text());
      const requests = (alias: string, version: string) =>
        sampleValue(samples, 'cairn_model_requests_total', { model: 'toy', version, alias, status: '200' });
      expect(requests('champion', 'v1')).toBe(21);
      expect(requests('challenger', 'v2')).toBe(21);
      // The shadow's predictions are counted on its own series (flipped model: 14 big of 21).
      expect(sampleValue(samples, 'cairn_model_predictions_total', { version: 'v2', class: 'big' })).toBe(7);
      expect(sampleValue(samples, 'cairn_model_predictions_total', { version: 'v1', class: 'big' })).toBe(14);
    } finally {
      await closeServer(server);
    }
  });

  it('sticky A/B by a row field: the same user always reaches the same version', async () => {
    const { server, url } = await started({ model: toyModel().model, modelName: 'toy', version: 'v1' });
    try {
      await server.traffic.setChallenger(
        { model: toyModel().model, version: 'v2' },
        { mode: 'ab', weight: 50, field: 'color' },
      );
      for (const color of ['red', 'green', 'blue', 'cyan', 'teal', 'gold']) {
        const versions = new Set<string | null>();
        for (let i = 0; i < 5; i++)
          versions.add((await predict(url, { x: i, color })).response.headers.get('x-cairn-version'));
        expect([...versions]).toEqual([stickyBucket(color) < 50 ? 'v2' : 'v1']);
      }
    } finally {
      await closeServer(server);
    }
  });
});

describe('POST /feedback and live accuracy', () => {
  it('scores delayed labels against what the answering version predicted', async () => {
    const { server, url } = await started({ model: toyModel().model, modelName: 'toy', version: 'v1' });
    try {
      const ids: Array<{ id: string; x: number }> = [];
      for (let x = 0; x < 10; x++) {
        const { response } = await predict(url, { x, color: 'red' });
        ids.push({ id: response.headers.get('x-request-id')!, x });
      }
      // True labels: x > 3 is big, so x = 4, 5 were predicted wrong: 8 of 10 correct.
      const labels = ids.map(({ id, x }) => ({ request_id: id, label: x > 3 ? 'big' : 'small' }));
      expect(await postJson(`${url}/feedback`, labels)).toEqual({
        status: 200,
        json: { accepted: 10, duplicates: 0 },
      });
      expect((await postJson(`${url}/feedback`, labels[0])).json).toEqual({ accepted: 0, duplicates: 1 });
      const samples = parseMetrics(await (await fetch(`${url}/metrics`)).text());
      expect(sampleValue(samples, 'cairn_model_live_accuracy', { version: 'v1' })).toBe(0.8);
      expect(sampleValue(samples, 'cairn_model_feedback_total', { version: 'v1', outcome: 'correct' })).toBe(
        8,
      );
      expect(
        sampleValue(samples, 'cairn_model_feedback_total', { version: 'v1', outcome: 'incorrect' }),
      ).toBe(2);

      const unknown = await postJson(`${url}/feedback`, { request_id: 'never-seen', label: 'big' });
      expect(unknown.status).toBe(404);
      expect(unknown.json.error).toMatchObject({ code: 'SERVE_FEEDBACK_UNKNOWN', pointer: '/0/request_id' });
      const wrongRow = await postJson(`${url}/feedback`, { request_id: ids[0]!.id, label: 'big', row: 3 });
      expect(wrongRow.json.error).toMatchObject({ code: 'SERVE_FEEDBACK_UNKNOWN', pointer: '/0/row' });
      for (const [body, pointer] of [
        [{ label: 'big' }, '/request_id'],
        [{ request_id: 'a b', label: 'big' }, '/request_id'],
        [{ request_id: 'x'.repeat(129), label: 'big' }, '/request_id'],
        [{ request_id: 'a', label: { deep: 1 } }, '/label'],
        [{ request_id: 'a', label: 'big', row: -1 }, '/row'],
        [[], '/'],
      ] as const) {
        const bad = await postJson(`${url}/feedback`, body);
        expect(bad.status, JSON.stringify(body)).toBe(400);
        expect(bad.json.error).toMatchObject({ code: 'SERVE_FEEDBACK_INVALID', pointer });
      }
    } finally {
      await closeServer(server);
    }
  });
});

describe('prediction log', () => {
  it('sampling is a stable function of the request id with the asked share (seeded ids)', () => {
    const random = seededRandom(SEED + 1);
    const ids = Array.from({ length: 5000 }, () => random().toString(36).slice(2));
    const chosen = ids.filter((id) => sampled(id, 0.2));
    expect(ids.filter((id) => sampled(id, 0.2))).toEqual(chosen);
    // Binomial(5000, 0.2): 5 standard deviations is 0.028.
    expect(Math.abs(chosen.length / ids.length - 0.2)).toBeLessThan(0.028);
    expect(ids.every((id) => sampled(id, 1) && !sampled(id, 0))).toBe(true);
  });

  it('writes masked JSON Lines, rotates by size, keeps maxFiles, and reads back the latest window in order', async () => {
    const dir = join(scratch.dir, 'log');
    const log = new PredictionLog({
      dir,
      maxFileBytes: 2000,
      maxFiles: 2,
      mask: (row) => ({ ...row, color: '***' }),
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    const { server, url } = await started({
      model: toyModel().model,
      modelName: 'toy',
      version: 'v1',
      alias: 'champion',
      predictionLog: log,
    });
    try {
      for (let x = 0; x < 60; x++) await predict(url, { x, color: 'secret@example.com' });
      log.flush();
    } finally {
      await closeServer(server);
    }
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    expect(files).toContain(CURRENT_LOG);
    for (const file of files) expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(2000);
    expect(readFileSync(join(dir, CURRENT_LOG), 'utf8')).not.toContain('secret');
    const window = readLoggedWindow(dir, { rows: 10 });
    expect(window.map((row) => row.x)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    expect(window[0]).toMatchObject({
      color: '***',
      [LOG_COLUMNS.version]: 'v1',
      [LOG_COLUMNS.alias]: 'champion',
      [LOG_COLUMNS.prediction]: 'big',
      [LOG_COLUMNS.row]: 0,
      [LOG_COLUMNS.time]: '2026-12-01T00:00:00.000Z',
    });
    // Older rows were rotated away: what is kept is a contiguous, newest-last tail.
    const all = readLoggedWindow(dir).map((row) => row.x as number);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => 60 - all.length + i));
    expect(all.length).toBeLessThan(60);
  });
});

function snapshot(partial: Partial<LaneSnapshot>): LaneSnapshot {
  return {
    requests: 0,
    errors: 0,
    latencyCounts: new Array(LATENCY_BUCKETS.length + 1).fill(0),
    classCounts: {},
    correct: 0,
    labelled: 0,
    ...partial,
  };
}

/** Latency counts with `n` requests in the bucket whose upper bound is `bound`. */
function latency(entries: Array<[number, number]>): number[] {
  const counts = new Array(LATENCY_BUCKETS.length + 1).fill(0);
  for (const [bound, n] of entries) counts[LATENCY_BUCKETS.indexOf(bound)] += n;
  return counts;
}

describe('analyzeCanary', () => {
  it('histogramQuantile interpolates inside the bucket as Prometheus does', () => {
    // 100 observations in (0.1, 0.25]: rank 99 is 99% of the way through that bucket.
    expect(histogramQuantile(0.99, LATENCY_BUCKETS, latency([[0.25, 100]]))).toBeCloseTo(
      0.1 + 0.15 * 0.99,
      12,
    );
    // 90 fast, 10 in (0.5, 1]: p99 is 90% through the slow bucket.
    expect(
      histogramQuantile(
        0.99,
        LATENCY_BUCKETS,
        latency([
          [0.005, 90],
          [1, 10],
        ]),
      ),
    ).toBeCloseTo(0.95, 12);
    expect(histogramQuantile(0.5, LATENCY_BUCKETS, latency([]))).toBeNaN();
  });

  const base = {
    requests: 1000,
    latencyCounts: latency([[0.01, 1000]]),
    classCounts: { big: 500, small: 500 },
  };
  const rules = {
    thresholds: { error_rate: 0.01, latency_p99_ms: 250, prediction_shift: 0.15, accuracy_drop: 0.05 },
    minRequests: 200,
    minLabels: 50,
  };

  it('promotes a challenger within every bound; waits for a full window', () => {
    expect(analyzeCanary(snapshot(base), snapshot({ ...base, errors: 10 }), rules).decision).toBe('promote');
    expect(analyzeCanary(snapshot(base), snapshot({ ...base, requests: 199 }), rules).decision).toBe('wait');
  });

  it('with live accuracy measured, a prediction shift alone does not roll back a better version', () => {
    const verdict = analyzeCanary(
      snapshot({ ...base, labelled: 100, correct: 60 }),
      snapshot({ ...base, classCounts: { big: 900, small: 100 }, labelled: 100, correct: 95 }),
      rules,
    );
    expect(verdict.decision).toBe('promote');
    expect(verdict.checks.find((c) => c.name === 'prediction-shift')).toMatchObject({
      pass: false,
      advisory: true,
    });
  });

  it.each([
    ['error-rate', { errors: 11 }],
    [
      'latency-p99',
      {
        latencyCounts: latency([
          [0.01, 980],
          [0.5, 20],
        ]),
      },
    ],
    // Without labels on the challenger, the shift decides.
    ['prediction-shift', { classCounts: { big: 660, small: 340 }, labelled: 0, correct: 0 }],
    ['live-accuracy', { labelled: 100, correct: 84 }],
  ] as const)('rolls back on %s', (check, change) => {
    const verdict = analyzeCanary(
      snapshot({ ...base, labelled: 100, correct: 90 }),
      snapshot({ ...base, labelled: 100, correct: 90, ...change }),
      rules,
    );
    expect(verdict.decision).toBe('rollback');
    expect(verdict.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual([check]);
  });
});

interface Load {
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** `amount` requests over 64 connections on loopback, rows drawn from a seeded generator. */
function load(url: string, amount: number, seed: number): Promise<Load> {
  const random = seededRandom(seed);
  return new Promise((resolveLoad, rejectLoad) => {
    autocannon(
      {
        url,
        connections: 64,
        amount,
        requests: [
          {
            method: 'POST',
            path: '/predict',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request: Record<string, unknown>) => ({
              ...request,
              body: JSON.stringify({ x: Math.round(random() * 1000) / 100, color: 'red' }),
            }),
          },
        ],
      },
      (error: Error | null, result: autocannon.Result) =>
        error
          ? rejectLoad(error)
          : resolveLoad({
              total: result.requests.total,
              ok: result['2xx'],
              non2xx: result.non2xx,
              errors: result.errors,
              timeouts: result.timeouts,
            }),
    );
  });
}

/** Evaluates the controller every few milliseconds until it decides or the load ends. */
async function underLoad(controller: CanaryController, run: Promise<Load>) {
  let finished = false;
  const done = run.finally(() => {
    finished = true;
  });
  let verdict;
  while (!finished) {
    verdict = await controller.evaluate();
    if (verdict && verdict.decision !== 'wait') break;
    await new Promise((wait) => setTimeout(wait, 5));
  }
  return { verdict, result: await done };
}

function fakeRegistry() {
  const moves: Array<{ alias: string; version: string }> = [];
  const audit: CanaryAuditEntry[] = [];
  return {
    moves,
    audit,
    registry: {
      async moveAlias(alias: string, version: string) {
        moves.push({ alias, version });
      },
      async audit(entry: CanaryAuditEntry) {
        audit.push(entry);
      },
    },
  };
}

describe('canary under load (64 connections, loopback)', () => {
  it('a bad challenger is rolled back automatically; failures stay within its share; no request is dropped', async () => {
    const champion = toyModel();
    const challenger = toyModel({ failShare: 0.3 });
    const { server, url } = await started({
      model: champion.model,
      modelName: 'toy',
      version: 'v1',
      alias: 'champion',
    });
    try {
      await server.traffic.setChallenger(
        { model: challenger.model, version: 'v2' },
        { mode: 'canary', weight: 10 },
      );
      const { registry, moves, audit } = fakeRegistry();
      const controller = new CanaryController(server.traffic, registry, {
        thresholds: LOOSE,
        minRequests: 100,
      });
      const { verdict, result } = await underLoad(controller, load(url, 3000, SEED + 2));
      expect(verdict?.decision).toBe('rollback');
      expect(verdict?.checks.find((c) => c.name === 'error-rate')?.pass).toBe(false);
      // Every request was answered; only the challenger's rows failed, and it never got more than its 10%.
      expect(result).toMatchObject({ total: 3000, errors: 0, timeouts: 0 });
      expect(result.ok + result.non2xx).toBe(3000);
      const samples = parseMetrics(await (await fetch(`${url}/metrics`)).text());
      const count = (version: string, status: string) =>
        sampleValue(samples, 'cairn_model_requests_total', { version, status }) ?? 0;
      console.log(
        `bad canary: ${result.total} requests, challenger answered ${count('v2', '200') + count('v2', '500')} (${result.non2xx} failed) before rollback`,
      );
      expect(count('v1', '500')).toBe(0);
      expect(count('v2', '500')).toBe(result.non2xx);
      expect(count('v2', '200') + count('v2', '500')).toBeLessThanOrEqual(Math.floor(3000 * 0.1));
      expect(count('v1', '200') + count('v2', '200') + count('v2', '500')).toBe(3000);
      expect(server.traffic.lanes()).toEqual({ champion: { version: 'v1', alias: 'champion', inflight: 0 } });
      expect(challenger.state).toMatchObject({ closed: 1, inflightAtClose: 0 });
      expect(champion.state.closed).toBe(0);
      expect(moves).toEqual([]);
      expect(audit).toEqual([
        expect.objectContaining({ action: 'canary-rollback', champion: 'v1', challenger: 'v2' }),
      ]);
    } finally {
      await closeServer(server);
    }
  });

  it('a good challenger is promoted mid-load: alias moved, audited, no request dropped', async () => {
    const champion = toyModel();
    const challenger = toyModel();
    const { server, url } = await started({
      model: champion.model,
      modelName: 'toy',
      version: 'v1',
      alias: 'champion',
    });
    try {
      await server.traffic.setChallenger(
        { model: challenger.model, version: 'v2' },
        { mode: 'canary', weight: 25 },
      );
      const { registry, moves, audit } = fakeRegistry();
      const controller = new CanaryController(server.traffic, registry, {
        thresholds: LOOSE,
        minRequests: 200,
      });
      const { verdict, result } = await underLoad(controller, load(url, 3000, SEED + 3));
      expect(verdict?.decision).toBe('promote');
      console.log(
        `good canary: promoted after ${verdict?.window.challengerRequests} challenger requests of 3000`,
      );
      expect(result).toMatchObject({ total: 3000, ok: 3000, non2xx: 0, errors: 0, timeouts: 0 });
      expect(moves).toEqual([{ alias: 'champion', version: 'v2' }]);
      expect(audit.map((a) => a.action)).toEqual(['canary-promote']);
      expect(server.traffic.lanes()).toEqual({ champion: { version: 'v2', alias: 'champion', inflight: 0 } });
      // The old champion closed only once its last request had answered; the promoted model stays open.
      expect(champion.state).toMatchObject({ closed: 1, inflightAtClose: 0 });
      expect(challenger.state.closed).toBe(0);
      const after = await predict(url, { x: 9, color: 'red' });
      expect(after.response.headers.get('x-cairn-version')).toBe('v2');
    } finally {
      await closeServer(server);
    }
  });

  it('an alias move hot-swaps the champion under load without dropping a request', async () => {
    const first = toyModel();
    const second = toyModel();
    const { server, url } = await started({
      model: first.model,
      modelName: 'toy',
      version: 'v1',
      alias: 'champion',
    });
    try {
      const run = load(url, 2000, SEED + 4);
      const swapped = (async () => {
        while ((server.traffic.laneMetrics('champion')?.snapshot().requests ?? 0) < 500)
          await new Promise((wait) => setTimeout(wait, 2));
        await server.traffic.replace('champion', { model: second.model, version: 'v3' });
      })();
      const result = await run;
      await swapped;
      expect(result).toMatchObject({ total: 2000, ok: 2000, errors: 0, timeouts: 0 });
      const samples = parseMetrics(await (await fetch(`${url}/metrics`)).text());
      const served = (version: string) =>
        sampleValue(samples, 'cairn_model_requests_total', { version, status: '200' }) ?? 0;
      expect(served('v1')).toBeGreaterThanOrEqual(500);
      expect(served('v3')).toBeGreaterThan(0);
      expect(served('v1') + served('v3')).toBe(2000);
      expect(first.state).toMatchObject({ closed: 1, inflightAtClose: 0 });
    } finally {
      await closeServer(server);
    }
  });
});
