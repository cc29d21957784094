import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { cairnError, isCairnError, type ErrorCode } from '@cairn/errors';
import type { LoadedModel } from './load-model';
import type { Prediction, Row } from './manifest';
import { FeedbackStore, parseFeedback, validRequestId } from './feedback';
import type { PredictionLog } from './prediction-log';
import { TrafficRouter, type LaneName, type TrafficPolicy } from './traffic';
import { clipText, jsonDepthExceeds, MAX_ECHO_CHARS, MAX_JSON_DEPTH } from './errors';
import { ModelMetrics, type LaneMetrics } from './model-metrics';
import { validateRequestRows } from './validate-rows';
import { createRowExplainer, type RowExplainer } from './explain-rows';

export interface ModelServerOptions {
  model: LoadedModel;
  /** Version label of every series (e.g. the artifact's content hash). */
  version: string;
  /** `model` label of every series; the dashboards and rules select on it (the Nx project name). */
  modelName: string;
  /** `false` disables `/metrics` and all metric collection (used to measure its overhead). Default true. */
  metrics?: boolean;
  /** Evaluation metrics of this version, exported as `cairn_model_training_metric`. */
  trainingMetrics?: Record<string, number>;
  /** Unix seconds the version was trained (`cairn_model_last_trained_timestamp_seconds`). */
  lastTrainedSeconds?: number;
  /**
   * Training data: numeric feature values become the buckets (deciles) and
   * the baseline of `cairn_model_feature_drift_score`; label values give
   * `cairn_model_training_class_share`.
   */
  reference?: Row[];
  /** Overrides the class shares derived from `reference`. */
  trainingClassShares?: Record<string, number>;
  /** Most recent values per feature the live drift score looks at (default 1000). */
  driftWindow?: number;
  /** Minimum values in the window before a drift score is exported (default 50). */
  driftMinSamples?: number;
  /** Request bodies larger than this get a 413 (default 10 MiB). */
  maxBodyBytes?: number;
  /** Registry alias of the first version (`champion`…): an `alias` label on its series when set. */
  alias?: string;
  /** Alias label of a challenger lane (default `challenger`). */
  challengerAlias?: string;
  /** Requests and predictions are logged here (sampled, masked, rotated). */
  predictionLog?: PredictionLog;
  /** `false` disables POST /feedback. */
  feedback?: boolean;
  /** Requests whose predictions /feedback can still score (default 100,000). */
  feedbackCapacity?: number;
  /** Called for each serving lane after labels were accepted (the retrain trigger on an accuracy drop). */
  onFeedback?: (lane: LaneMetrics) => unknown;
}

class BodyTooLarge extends Error {}

/** Failures caused by the request (400/413); anything else is the model's or ours (500). */
const CLIENT_ERRORS = new Set<ErrorCode>([
  'SERVE_INVALID_REQUEST',
  'SERVE_INVALID_ROW',
  'SERVE_INVALID_JSON',
  'SERVE_JSON_TOO_DEEP',
  'SERVE_REQUEST_TOO_LARGE',
  'SERVE_FEEDBACK_INVALID',
]);

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Accepts `{"rows": [...]}`, `{"row": {...}}`, a bare array of rows or a single row object. */
function requestRows(body: unknown): unknown {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    const object = body as Record<string, unknown>;
    if ('rows' in object) return object.rows;
    if ('row' in object) return [object.row];
    return [object];
  }
  throw cairnError(
    'SERVE_INVALID_REQUEST',
    `request body must be a JSON object or array, got ${body === null ? 'null' : typeof body}`,
    {
      data: { pointer: '/' },
      hint: 'send {"rows": [{...}, ...]} or {"row": {...}}',
    },
  );
}

function numericReference(options: ModelServerOptions): Record<string, number[]> | undefined {
  if (!options.reference) return undefined;
  const reference: Record<string, number[]> = {};
  for (const feature of options.model.manifest.features) {
    if (feature.type !== 'number') continue;
    reference[feature.name] = options.reference
      .map((row) => Number(row[feature.name]))
      .filter((v) => Number.isFinite(v));
  }
  return reference;
}

function classShares(options: ModelServerOptions): Record<string, number> | undefined {
  if (options.trainingClassShares) return options.trainingClassShares;
  const { manifest } = options.model;
  if (!options.reference || manifest.task === 'regression' || !manifest.label) return undefined;
  const label = manifest.label;
  const counts = new Map<string, number>((manifest.labels ?? []).map((l) => [String(l), 0]));
  let total = 0;
  for (const row of options.reference) {
    const value = row[label];
    if (value === undefined || value === '') continue;
    counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
    total += 1;
  }
  if (total === 0) return undefined;
  return Object.fromEntries([...counts].map(([l, c]) => [l, c / total]));
}

/** A version to serve beside (or instead of) the first one: what a lane needs. */
export interface LaneInput {
  model: LoadedModel;
  version: string;
  trainingMetrics?: Record<string, number>;
  lastTrainedSeconds?: number;
  trainingClassShares?: Record<string, number>;
}

/** One served version: its model, metrics and the requests it is answering now. */
interface Lane {
  name: LaneName;
  alias?: string;
  model: LoadedModel;
  version: string;
  metrics?: LaneMetrics;
  inflight: number;
  /** Set when the lane stops serving: runs once its last request has answered. */
  onIdle?: () => void;
}

/** What a running server lets its owner change without a restart. */
export interface TrafficControl {
  /** The versions serving now, by lane. */
  lanes(): Partial<Record<LaneName, { version: string; alias?: string; inflight: number }>>;
  /** Serves `input` as the challenger under `policy` (replacing any challenger). */
  setChallenger(input: LaneInput, policy: TrafficPolicy): Promise<void>;
  /**
   * Replaces the version a lane serves (the alias moved): new requests go to
   * the new version at once; requests in flight finish on the old one, whose
   * model is closed afterwards. Resolves when the old lane is drained.
   */
  replace(lane: LaneName, input: LaneInput): Promise<void>;
  /** The challenger becomes the champion; the old champion drains and closes. */
  promote(): Promise<void>;
  /** The challenger stops serving (drained, closed); all traffic goes to the champion. */
  rollback(): Promise<void>;
  /** The lane's request/feedback series, for an in-process canary analysis. */
  laneMetrics(lane: LaneName): LaneMetrics | undefined;
}

export type ModelServer = Server & { traffic: TrafficControl };

/**
 * An HTTP server for a loaded model: `POST /predict`, `POST /feedback`,
 * `POST /explain` (per-row KernelSHAP contributions of the champion against the
 * reference rows), `GET /healthz`, `GET /metrics` (Prometheus text format, its own registry).
 * Bad input gets a 400 JSON naming the row and field; the server keeps
 * serving. Every answer carries `x-request-id` (the client's, when valid),
 * `x-cairn-version` and `x-cairn-alias`; a challenger can be added, swapped,
 * promoted or rolled back while it runs (`server.traffic`).
 */
export function createModelServer(options: ModelServerOptions): ModelServer {
  const { model } = options;
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const metrics =
    options.metrics === false
      ? undefined
      : new ModelMetrics({
          manifest: model.manifest,
          modelName: options.modelName,
          version: options.version,
          ...(options.alias ? { alias: options.alias } : {}),
          trainingMetrics: options.trainingMetrics,
          lastTrainedSeconds: options.lastTrainedSeconds,
          trainingClassShares: classShares(options),
          reference: numericReference(options),
          driftWindow: options.driftWindow,
          driftMinSamples: options.driftMinSamples,
        });
  const feedback = options.feedback === false ? undefined : new FeedbackStore(options.feedbackCapacity);
  const log = options.predictionLog;
  const aliasOf = (name: LaneName) =>
    name === 'champion' ? options.alias : (options.challengerAlias ?? 'challenger');
  const lanes: Partial<Record<LaneName, Lane>> = {
    champion: {
      name: 'champion',
      alias: options.alias,
      model,
      version: options.version,
      metrics: metrics?.firstLane,
      inflight: 0,
    },
  };
  let router: TrafficRouter | undefined;

  function makeLane(name: LaneName, input: LaneInput): Lane {
    const alias = aliasOf(name);
    return {
      name,
      alias,
      model: input.model,
      version: input.version,
      metrics: metrics?.lane({
        version: input.version,
        ...(alias ? { alias } : {}),
        trainingMetrics: input.trainingMetrics,
        lastTrainedSeconds: input.lastTrainedSeconds,
        trainingClassShares: input.trainingClassShares,
      }),
      inflight: 0,
    };
  }

  /** Stops routing to `lane`; resolves once its in-flight requests have answered (then closes its model unless kept). */
  function retire(lane: Lane, closeModel: boolean): Promise<void> {
    if (lane.metrics) metrics?.retire(lane.metrics);
    return new Promise<void>((resolveIdle) => {
      const done = () => {
        lane.onIdle = undefined;
        (closeModel ? lane.model.close() : Promise.resolve()).then(
          () => resolveIdle(),
          () => resolveIdle(),
        );
      };
      if (lane.inflight === 0) done();
      else lane.onIdle = done;
    });
  }

  function enter(lane: Lane): () => void {
    lane.inflight += 1;
    return () => {
      lane.inflight -= 1;
      if (lane.inflight === 0) lane.onIdle?.();
    };
  }

  const traffic: TrafficControl = {
    lanes() {
      return Object.fromEntries(
        Object.entries(lanes).map(([name, lane]) => [
          name,
          { version: lane.version, ...(lane.alias ? { alias: lane.alias } : {}), inflight: lane.inflight },
        ]),
      );
    },
    async setChallenger(input, policy) {
      const old = lanes.challenger;
      lanes.challenger = makeLane('challenger', input);
      router = new TrafficRouter(policy);
      if (old) await retire(old, old.model !== input.model);
    },
    async replace(name, input) {
      const old = lanes[name];
      lanes[name] = makeLane(name, input);
      if (old) await retire(old, old.model !== input.model);
    },
    async promote() {
      const challenger = lanes.challenger;
      if (!challenger) return;
      const champion = lanes.champion!;
      lanes.champion = makeLane('champion', challenger);
      delete lanes.challenger;
      router = undefined;
      await Promise.all([retire(challenger, false), retire(champion, champion.model !== challenger.model)]);
    },
    async rollback() {
      const challenger = lanes.challenger;
      if (!challenger) return;
      delete lanes.challenger;
      router = undefined;
      await retire(challenger, challenger.model !== lanes.champion!.model);
    },
    laneMetrics(name) {
      return lanes[name]?.metrics;
    },
  };

  function stickyKey(request: IncomingMessage, body: unknown): string | undefined {
    if (router?.policy.mode !== 'ab') return undefined;
    const { header, field } = router.policy;
    if (header) {
      const value = request.headers[header];
      return typeof value === 'string' ? value : undefined;
    }
    const rows = requestRowsOrUndefined(body);
    const value = Array.isArray(rows)
      ? (rows[0] as Record<string, unknown> | undefined)?.[field!]
      : undefined;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }

  /** Validates and predicts on one lane; a failure is reported on that lane's series. */
  async function answerOn(
    lane: Lane,
    body: unknown,
    requestId: string,
    mirrored = false,
  ): Promise<Prediction[]> {
    const rows = validateRequestRows(requestRows(body), lane.model.manifest);
    // Input drift is about the traffic, not the version: a mirrored copy is not counted twice.
    if (!mirrored) metrics?.observeInputs(rows);
    const predictions = await lane.model.predict(rows);
    lane.metrics?.observePredictions(predictions);
    if (lane.metrics) feedback?.remember(requestId, lane.metrics, predictions);
    log?.record({ requestId, version: lane.version, alias: lane.alias, rows, predictions });
    return predictions;
  }

  /** The challenger's answer to a mirrored request is measured, logged, and discarded. */
  function shadow(lane: Lane, body: unknown, requestId: string): void {
    const leave = enter(lane);
    const started = process.hrtime.bigint();
    let status = 200;
    answerOn(lane, body, requestId, true)
      .catch((error: unknown) => {
        status = statusOf(error);
      })
      .finally(() => {
        lane.metrics?.observeRequest(status, Number(process.hrtime.bigint() - started) / 1e9);
        leave();
      });
  }

  async function readJson(request: IncomingMessage): Promise<unknown> {
    let text: string;
    try {
      text = await readBody(request, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        throw cairnError('SERVE_REQUEST_TOO_LARGE', `request body exceeds ${maxBody} bytes`, {
          data: { limit: maxBody },
        });
      }
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      // V8's message quotes only a few characters around the fault; clipped all the same.
      throw cairnError(
        'SERVE_INVALID_JSON',
        `request body is not valid JSON: ${clipText((error as Error).message)}`,
        { data: { pointer: '/' } },
      );
    }
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      throw cairnError(
        'SERVE_JSON_TOO_DEEP',
        `request body nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels`,
        { data: { pointer: '/', limit: MAX_JSON_DEPTH }, hint: 'send {"rows": [{"feature": value, ...}]}' },
      );
    }
    return body;
  }

  async function predict(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const given = request.headers['x-request-id'];
    const requestId = validRequestId(given) ? given : randomUUID();
    let status = 200;
    // Until the body is read the request belongs to no version: the champion counts it.
    let lane = lanes.champion!;
    let leave = enter(lane);
    try {
      const body = await readJson(request);
      const route = router && lanes.challenger ? router.route(stickyKey(request, body)) : undefined;
      if (route?.answer === 'challenger') {
        leave();
        lane = lanes.challenger!;
        leave = enter(lane);
      }
      if (route?.mirror && lanes.challenger) shadow(lanes.challenger, body, requestId);
      const predictions = await answerOn(lane, body, requestId);
      sendJson(response, 200, { predictions }, laneHeaders(lane, requestId));
    } catch (error) {
      status = statusOf(error);
      if (!response.headersSent)
        sendJson(response, status, { error: errorReply(error, status) }, laneHeaders(lane, requestId));
    } finally {
      lane.metrics?.observeRequest(status, Number(process.hrtime.bigint() - started) / 1e9);
      leave();
    }
  }

  // Explainers are built per champion model (a swap or promotion brings a new one) and kept for its life.
  const explainers = new WeakMap<LoadedModel, RowExplainer | undefined>();
  function explainerOf(model: LoadedModel): RowExplainer | undefined {
    if (!explainers.has(model)) explainers.set(model, createRowExplainer(model, options.reference));
    return explainers.get(model);
  }

  /**
   * Explanations cost hundreds of predictions each: they are answered by the champion only and
   * stay out of the serving latency and error series.
   */
  async function explain(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const lane = lanes.champion!;
    const leave = enter(lane);
    try {
      const body = await readJson(request);
      const rows = validateRequestRows(requestRows(body), lane.model.manifest);
      const explainer = explainerOf(lane.model);
      if (!explainer) {
        sendJson(response, 501, {
          error: {
            code: 'SERVE_EXPLAIN_UNAVAILABLE',
            message: 'this server has no training data to explain against: start it with reference data',
          },
        });
        return;
      }
      sendJson(response, 200, { explanations: await explainer.explain(rows) });
    } catch (error) {
      const status = statusOf(error);
      if (!response.headersSent) sendJson(response, status, { error: errorReply(error, status) });
    } finally {
      leave();
    }
  }

  async function receiveFeedback(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const result = feedback!.apply(parseFeedback(await readJson(request)));
      sendJson(response, 200, result);
      if (options.onFeedback && result.accepted > 0)
        for (const lane of Object.values(lanes))
          if (lane.metrics)
            Promise.resolve(options.onFeedback(lane.metrics)).catch((error: unknown) =>
              process.stderr.write(`cairn serve: feedback hook: ${clipText(String(error))}\n`),
            );
    } catch (error) {
      const status = isCairnError(error, 'SERVE_FEEDBACK_UNKNOWN') ? 404 : statusOf(error);
      if (!response.headersSent) sendJson(response, status, { error: errorReply(error, status) });
    }
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/predict') {
      if (request.method !== 'POST')
        return sendJson(response, 405, { error: { code: 'SERVE_METHOD', message: 'use POST /predict' } });
      void predict(request, response);
      return;
    }
    if (path === '/explain') {
      if (request.method !== 'POST')
        return sendJson(response, 405, { error: { code: 'SERVE_METHOD', message: 'use POST /explain' } });
      void explain(request, response);
      return;
    }
    if (path === '/feedback' && feedback) {
      if (request.method !== 'POST')
        return sendJson(response, 405, { error: { code: 'SERVE_METHOD', message: 'use POST /feedback' } });
      void receiveFeedback(request, response);
      return;
    }
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      const champion = lanes.champion!;
      return sendJson(response, 200, {
        status: 'ok',
        model: options.modelName,
        version: champion.version,
        runtime: champion.model.manifest.runtime,
        ...(lanes.challenger ? { challenger: lanes.challenger.version } : {}),
      });
    }
    if (path === '/metrics' && metrics && request.method === 'GET') {
      metrics.registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType });
          response.end(text);
        })
        .catch((error: Error) =>
          sendJson(response, 500, { error: { code: 'SERVE_METRICS', message: error.message } }),
        );
      return;
    }
    sendJson(response, 404, {
      error: {
        code: 'SERVE_NOT_FOUND',
        message: `no route ${request.method ?? ''} ${clipText(path ?? '/', MAX_ECHO_CHARS)}`,
      },
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('close', () => {
    log?.flush();
    for (const lane of Object.values(lanes)) void lane.model.close();
  });
  return Object.assign(server, { traffic });
}

function laneHeaders(lane: Lane, requestId: string): Record<string, string> {
  return {
    'x-request-id': requestId,
    'x-cairn-version': lane.version,
    ...(lane.alias ? { 'x-cairn-alias': lane.alias } : {}),
  };
}

/**
 * The `error` object of a failed request: a coded error's code, a clipped message (model and
 * parser messages can quote the input: only a prefix goes back) and where the input was wrong;
 * anything else is logged here and answered as an opaque internal error.
 */
function errorReply(error: unknown, status: number): Record<string, unknown> {
  if (status === 500)
    process.stderr.write(
      `cairn serve: ${clipText(error instanceof Error ? error.message : String(error))}\n`,
    );
  return isCairnError(error)
    ? {
        code: error.code,
        message: clipText(error.message),
        ...pick(error.data, ['pointer', 'row', 'field', 'expected']),
      }
    : { code: 'SERVE_INTERNAL', message: 'internal error' };
}

/** 400/413 for failures the request caused, 500 for the model's or ours. */
function statusOf(error: unknown): number {
  if (isCairnError(error, 'SERVE_REQUEST_TOO_LARGE')) return 413;
  return isCairnError(error) && CLIENT_ERRORS.has(error.code) ? 400 : 500;
}

function requestRowsOrUndefined(body: unknown): unknown {
  try {
    return requestRows(body);
  } catch {
    return undefined;
  }
}

function pick(data: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => data[k] !== undefined).map((k) => [k, data[k]]));
}
