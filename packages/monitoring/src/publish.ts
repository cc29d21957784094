import { cairnError } from '@cairn/errors';

export interface PublishOptions {
  /** Grafana base URL, e.g. http://grafana:3000 (env GRAFANA_URL in the CLI). */
  url: string;
  /** Service-account token (env GRAFANA_TOKEN in the CLI). */
  token: string;
  /** Folder to keep the dashboard in; a dashboard found in another folder is moved. */
  folderUid?: string;
  /** Request timeout, ms (default 10 s). */
  timeoutMs?: number;
}

export type PublishResult = 'created' | 'updated' | 'unchanged';

/** Fields Grafana manages itself; they never count as a change. */
const SERVER_FIELDS = new Set(['id', 'version']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function comparable(dashboard: Record<string, unknown>): string {
  return JSON.stringify(
    canonical(Object.fromEntries(Object.entries(dashboard).filter(([key]) => !SERVER_FIELDS.has(key)))),
  );
}

async function call(
  options: PublishOptions,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = `${options.url.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw cairnError(
      'GRAFANA_UNREACHABLE',
      `cannot reach Grafana at ${options.url}: ${(error as Error).message}`,
      {
        data: { url },
        hint: 'check GRAFANA_URL; Grafana itself is not bundled with Cairn',
        cause: error,
      },
    );
  }
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { message: text };
  }
  if (response.status === 401 || response.status === 403) {
    throw cairnError(
      'GRAFANA_AUTH',
      `Grafana refused ${method} ${path} (${response.status}): ${String(json.message ?? '')}`,
      {
        data: { url, status: response.status },
        hint: 'GRAFANA_TOKEN must be a service-account token with dashboard write permission',
      },
    );
  }
  return { status: response.status, json };
}

/**
 * Idempotently publishes a dashboard through Grafana's HTTP API: looks it up
 * by uid, and only when it is missing or differs (ignoring the `id` and
 * `version` Grafana manages) saves it with `overwrite`. Publishing the same
 * dashboard twice leaves Grafana's version history untouched.
 */
export async function publishDashboard(dashboard: object, options: PublishOptions): Promise<PublishResult> {
  const ours = dashboard as Record<string, unknown>;
  const uid = ours.uid;
  if (typeof uid !== 'string' || uid === '') {
    throw cairnError(
      'GRAFANA_DASHBOARD_INVALID',
      'the dashboard has no uid; publishing needs one to be idempotent',
      {
        data: { pointer: '/uid' },
      },
    );
  }
  const existing = await call(options, 'GET', `/api/dashboards/uid/${encodeURIComponent(uid)}`);
  if (existing.status !== 200 && existing.status !== 404) {
    throw cairnError(
      'GRAFANA_HTTP_ERROR',
      `Grafana answered ${existing.status} looking up dashboard ${uid}: ${String(existing.json.message ?? '')}`,
      {
        data: { uid, status: existing.status },
      },
    );
  }
  let result: PublishResult = 'created';
  if (existing.status === 200) {
    const stored = (existing.json.dashboard ?? {}) as Record<string, unknown>;
    const folder = (existing.json.meta as Record<string, unknown> | undefined)?.folderUid;
    const sameFolder = options.folderUid === undefined || (folder ?? '') === options.folderUid;
    if (sameFolder && comparable(stored) === comparable(ours)) return 'unchanged';
    result = 'updated';
  }
  const saved = await call(options, 'POST', '/api/dashboards/db', {
    dashboard: { ...ours, id: null },
    ...(options.folderUid === undefined ? {} : { folderUid: options.folderUid }),
    overwrite: result === 'updated',
    message: 'published by cairn monitor',
  });
  if (saved.status !== 200) {
    throw cairnError(
      'GRAFANA_HTTP_ERROR',
      `Grafana answered ${saved.status} saving dashboard ${uid}: ${String(saved.json.message ?? '')}`,
      {
        data: { uid, status: saved.status },
      },
    );
  }
  return result;
}
