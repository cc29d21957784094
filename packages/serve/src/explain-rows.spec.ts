import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from './load-model';
import { createModelServer } from './server';
import { closeServer, listen, postJson, tempDir, writeNodeModel } from '../test/fixtures';
import { MAX_EXPLAIN_ROWS } from './explain-rows';

describe('POST /explain', () => {
  const tmp = tempDir();
  let url: string;
  let bare: string;
  const servers: Array<ReturnType<typeof createModelServer>> = [];
  // 10 reference rows, x = 1..10: the toy model says "big" (probability 1) for x > 5, so E[p(big)] = 0.5.
  const reference = Array.from({ length: 10 }, (_, i) => ({
    x: i + 1,
    color: i % 2 ? 'red' : 'blue',
    size: 'x',
  }));
  beforeAll(async () => {
    const withReference = createModelServer({
      model: await loadModel(writeNodeModel(tmp.dir)),
      modelName: 'toy',
      version: 'v1',
      reference,
    });
    const without = createModelServer({
      model: await loadModel(writeNodeModel(tmp.dir)),
      modelName: 'toy',
      version: 'v1',
    });
    servers.push(withReference, without);
    url = await listen(withReference);
    bare = await listen(without);
  });
  afterAll(async () => {
    for (const server of servers) await closeServer(server);
    tmp.cleanup();
  });

  it('returns per-row contributions that add up to the prediction minus the expected value', async () => {
    const response = await postJson(`${url}/explain`, {
      rows: [
        { x: 9, color: 'red' },
        { x: 2, color: 'blue' },
      ],
    });
    expect(response.status).toBe(200);
    const [big, small] = response.json.explanations as Array<{
      output: string;
      prediction: number;
      expectedValue: number;
      contributions: Record<string, number>;
    }>;
    // Two features: every coalition is evaluated, so these are the exact Shapley values.
    expect(big).toEqual({
      output: 'probability:big',
      prediction: 1,
      expectedValue: 0.5,
      contributions: { x: 0.5, color: 0 },
    });
    expect(small!.output).toBe('probability:small');
    expect(small!.contributions.x).toBeCloseTo(0.5, 12);
    expect(small!.contributions.color).toBeCloseTo(0, 12);
  });

  it('handles untrusted input like /predict: coded 400s naming the row and field, 405, 413-sized limits', async () => {
    const bad = await postJson(`${url}/explain`, { rows: [{ x: 'nine', color: 'red' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({
      code: 'SERVE_INVALID_ROW',
      row: 0,
      field: 'x',
      pointer: '/rows/0/x',
    });
    const tooMany = await postJson(`${url}/explain`, {
      rows: Array.from({ length: MAX_EXPLAIN_ROWS + 1 }, () => ({ x: 1, color: 'red' })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatchObject({ code: 'SERVE_INVALID_REQUEST', pointer: '/rows' });
    const notJson = await fetch(`${url}/explain`, { method: 'POST', body: '{"rows": [' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('SERVE_INVALID_JSON');
    const deep = await fetch(`${url}/explain`, { method: 'POST', body: '['.repeat(200) + ']'.repeat(200) });
    expect(((await deep.json()) as { error: { code: string } }).error.code).toBe('SERVE_JSON_TOO_DEEP');
    const get = await fetch(`${url}/explain`);
    expect(get.status).toBe(405);
  });

  it('answers 501 with a code when the server has no training data to explain against', async () => {
    const response = await postJson(`${bare}/explain`, { x: 1, color: 'red' });
    expect(response.status).toBe(501);
    expect(response.json.error).toMatchObject({ code: 'SERVE_EXPLAIN_UNAVAILABLE' });
  });
});
