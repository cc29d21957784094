import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { buildDashboard } from './dashboard';
import { publishDashboard } from './publish';
import { IRIS } from '../test/helpers';

/**
 * Just enough of Grafana's dashboard API: GET /api/dashboards/uid/:uid and
 * POST /api/dashboards/db, with ids, versions, folders, bearer auth and the
 * 412 Grafana gives when saving over an existing uid without `overwrite`.
 */
function fakeGrafana(token: string) {
  const stored = new Map<string, { dashboard: Record<string, unknown>; folderUid: string }>();
  const saves: Array<{ overwrite: boolean }> = [];
  let nextId = 1;
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Unauthorized' });
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const get = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(request.url ?? '');
      if (request.method === 'GET' && get) {
        const entry = stored.get(decodeURIComponent(get[1] as string));
        if (!entry) return send(404, { message: 'Dashboard not found' });
        return send(200, {
          dashboard: entry.dashboard,
          meta: { folderUid: entry.folderUid, version: entry.dashboard.version },
        });
      }
      if (request.method === 'POST' && request.url === '/api/dashboards/db') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          dashboard: Record<string, unknown>;
          overwrite?: boolean;
          folderUid?: string;
        };
        const uid = body.dashboard.uid as string;
        const existing = stored.get(uid);
        saves.push({ overwrite: Boolean(body.overwrite) });
        if (existing && !body.overwrite)
          return send(412, {
            message: 'A dashboard with the same uid already exists',
            status: 'name-exists',
          });
        const version = ((existing?.dashboard.version as number | undefined) ?? 0) + 1;
        const id = (existing?.dashboard.id as number | undefined) ?? nextId++;
        stored.set(uid, { dashboard: { ...body.dashboard, id, version }, folderUid: body.folderUid ?? '' });
        return send(200, { id, uid, version, status: 'success', url: `/d/${uid}` });
      }
      send(404, { message: 'Not found' });
    });
  });
  return { server, stored, saves };
}

describe('publishDashboard (against a fake Grafana on loopback)', () => {
  const grafana = fakeGrafana('secret');
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => grafana.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(grafana.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (grafana.server as Server).close(() => resolve()));
  });
  beforeEach(() => {
    grafana.stored.clear();
    grafana.saves.length = 0;
  });

  it('creates, then leaves an identical dashboard alone, then updates a changed one', async () => {
    const dashboard = buildDashboard(IRIS) as { uid: string };
    expect(await publishDashboard(dashboard, { url, token: 'secret' })).toBe('created');
    expect(grafana.stored.get(dashboard.uid)?.dashboard.version).toBe(1);
    expect(await publishDashboard(buildDashboard(IRIS), { url, token: 'secret' })).toBe('unchanged');
    expect(grafana.saves).toHaveLength(1);
    const changed = buildDashboard({ ...IRIS, thresholds: { ...IRIS.thresholds, latency_p99_ms: 500 } });
    expect(await publishDashboard(changed, { url: `${url}/`, token: 'secret' })).toBe('updated');
    expect(grafana.saves).toEqual([{ overwrite: false }, { overwrite: true }]);
    expect(grafana.stored.get(dashboard.uid)?.dashboard.version).toBe(2);
    expect(await publishDashboard(changed, { url, token: 'secret' })).toBe('unchanged');
  });

  it('moves the dashboard when the folder differs', async () => {
    const dashboard = buildDashboard(IRIS);
    expect(await publishDashboard(dashboard, { url, token: 'secret' })).toBe('created');
    expect(await publishDashboard(dashboard, { url, token: 'secret', folderUid: 'ml' })).toBe('updated');
    expect(await publishDashboard(dashboard, { url, token: 'secret', folderUid: 'ml' })).toBe('unchanged');
    expect(grafana.stored.get('cairn-iris')?.folderUid).toBe('ml');
  });

  it('reports a bad token and an unreachable Grafana with stable codes', async () => {
    const codeOf = async (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (e: unknown) => (isCairnError(e) ? e.code : String(e)),
      );
    expect(await codeOf(publishDashboard(buildDashboard(IRIS), { url, token: 'wrong' }))).toBe(
      'GRAFANA_AUTH',
    );
    expect(
      await codeOf(
        publishDashboard(buildDashboard(IRIS), { url: 'http://127.0.0.1:1', token: 'x', timeoutMs: 2000 }),
      ),
    ).toBe('GRAFANA_UNREACHABLE');
    expect(await codeOf(publishDashboard({ title: 'no uid' }, { url, token: 'secret' }))).toBe(
      'GRAFANA_DASHBOARD_INVALID',
    );
  });
});
