import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { cairnError, isCairnError, type ErrorCode } from '@cairn/errors';
import { createRowExplainer } from './explain-rows';
import type { LoadedModel } from './load-model';
import type { Row } from './manifest';
import { clipText, jsonDepthExceeds, MAX_ECHO_CHARS, MAX_JSON_DEPTH } from './errors';
import { ModelMetrics } from './model-metrics';
import { validateRequestRows } from './validate-rows';

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
}

class BodyTooLarge extends Error {}

/** Failures caused by the request (400/413); anything else is the model's or ours (500). */
const CLIENT_ERRORS = new Set<ErrorCode>([
  'SERVE_INVALID_REQUEST',
  'SERVE_INVALID_ROW',
  'SERVE_INVALID_JSON',
  'SERVE_JSON_TOO_DEEP',
  'SERVE_REQUEST_TOO_LARGE',
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

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
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

/**
 * An HTTP server for one loaded model: `POST /predict`, `POST /explain`
 * (per-row KernelSHAP contributions against the reference rows), `GET /healthz`,
 * `GET /metrics` (Prometheus text format, its own registry). Bad input gets a
 * 400 JSON naming the row and field; the server keeps serving.
 */
export function createModelServer(options: ModelServerOptions): Server {
  const { model } = options;
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const metrics =
    options.metrics === false
      ? undefined
      : new ModelMetrics({
          manifest: model.manifest,
          modelName: options.modelName,
          version: options.version,
          trainingMetrics: options.trainingMetrics,
          lastTrainedSeconds: options.lastTrainedSeconds,
          trainingClassShares: classShares(options),
          reference: numericReference(options),
          driftWindow: options.driftWindow,
          driftMinSamples: options.driftMinSamples,
        });

  const explainer = createRowExplainer(model, options.reference);

  /** Reads, parses and validates the rows of a request: the same untrusted-input handling for every route. */
  async function handleRows(
    request: IncomingMessage,
    response: ServerResponse,
    route: 'predict' | 'explain',
  ): Promise<void> {
    const started = process.hrtime.bigint();
    let status = 200;
    try {
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
      const rows = validateRequestRows(requestRows(body), model.manifest);
      if (route === 'explain') {
        if (!explainer) {
          status = 501;
          sendJson(response, 501, {
            error: {
              code: 'SERVE_EXPLAIN_UNAVAILABLE',
              message: 'this server has no training data to explain against: start it with reference data',
            },
          });
          return;
        }
        sendJson(response, 200, { explanations: await explainer.explain(rows) });
        return;
      }
      metrics?.observeInputs(rows);
      const predictions = await model.predict(rows);
      metrics?.observePredictions(predictions);
      sendJson(response, 200, { predictions });
    } catch (error) {
      const clientError = isCairnError(error) && CLIENT_ERRORS.has(error.code);
      status = isCairnError(error, 'SERVE_REQUEST_TOO_LARGE') ? 413 : clientError ? 400 : 500;
      const detail = isCairnError(error)
        ? {
            code: error.code,
            // Model and parser messages can quote the input: only a prefix goes back.
            message: clipText(error.message),
            ...pick(error.data, ['pointer', 'row', 'field', 'expected']),
          }
        : { code: 'SERVE_INTERNAL', message: 'internal error' };
      if (!clientError)
        process.stderr.write(
          `cairn serve: ${clipText(error instanceof Error ? error.message : String(error))}\n`,
        );
      if (!response.headersSent) sendJson(response, status, { error: detail });
    } finally {
      // Explanations cost hundreds of predictions each: they stay out of the serving latency and error series.
      if (route === 'predict')
        metrics?.observeRequest(status, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/predict' || path === '/explain') {
      const route = path === '/predict' ? 'predict' : 'explain';
      if (request.method !== 'POST')
        return sendJson(response, 405, { error: { code: 'SERVE_METHOD', message: `use POST /${route}` } });
      void handleRows(request, response, route);
      return;
    }
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      return sendJson(response, 200, {
        status: 'ok',
        model: options.modelName,
        version: options.version,
        runtime: model.manifest.runtime,
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
    void model.close();
  });
  return server;
}

function pick(data: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => data[k] !== undefined).map((k) => [k, data[k]]));
}
