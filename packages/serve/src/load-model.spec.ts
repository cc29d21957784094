import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/errors';
import { loadModel, type LoadedModel } from './load-model';
import { PYTHON, tempDir, writeNodeModel, writePythonModel } from '../test/fixtures';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CairnError) return error.code;
    throw error;
  }
  return 'no error';
}

const expectedLabel = (x: number) => (x > 5 ? 'big' : 'small');

describe('loadModel, node runtime', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it.each([{ esm: false }, { esm: true }])(
    'loads a CommonJS or ES module entry once and predicts batches (%o)',
    async (options) => {
      const model = await loadModel(writeNodeModel(tmp.dir, options));
      const xs = [0, 4.9, 5, 5.1, 12];
      const predictions = await model.predict(xs.map((x) => ({ x, color: 'red' })));
      expect(predictions.map((p) => p.label)).toEqual(xs.map(expectedLabel));
      await model.close();
    },
  );

  it('reports a predict failure and a wrong number of predictions', async () => {
    const model = await loadModel(writeNodeModel(tmp.dir));
    expect(await codeOf(model.predict([{ x: 1, color: 'explode' }]))).toBe('MODEL_PREDICT_FAILED');
    const artifact = writeNodeModel(join(tmp.dir, 'empty'));
    writeFileSync(
      join(artifact, 'predict.cjs'),
      'module.exports = { load: async () => ({ predict: () => [] }) };',
    );
    const broken = await loadModel(artifact);
    expect(await codeOf(broken.predict([{ x: 1, color: 'a' }]))).toBe('MODEL_PREDICTION_INVALID');
  });

  it('loads a rewritten entry afresh rather than from the module cache', async () => {
    const artifact = writeNodeModel(join(tmp.dir, 'rewritten'));
    expect((await (await loadModel(artifact)).predict([{ x: 6, color: 'a' }]))[0]?.label).toBe('big');
    writeFileSync(
      join(artifact, 'predict.cjs'),
      "module.exports = { load: () => ({ predict: (rows) => rows.map(() => ({ label: 'v2' })) }) };",
    );
    expect((await (await loadModel(artifact)).predict([{ x: 6, color: 'a' }]))[0]?.label).toBe('v2');
  });

  it('rejects an entry that is missing or exports no load()', async () => {
    const artifact = writeNodeModel(join(tmp.dir, 'no-load'));
    writeFileSync(join(artifact, 'predict.cjs'), 'module.exports = { predict() {} };');
    expect(await codeOf(loadModel(artifact))).toBe('MODEL_ENTRY_INVALID');
    const missing = writeNodeModel(join(tmp.dir, 'other'));
    writeFileSync(
      join(missing, 'cairn-model.json'),
      JSON.stringify({
        runtime: 'node',
        entry: 'nope.cjs',
        task: 'regression',
        features: [{ name: 'x', type: 'number' }],
      }),
    );
    expect(await codeOf(loadModel(missing))).toBe('MODEL_ENTRY_NOT_FOUND');
  });
});

describe('loadModel, python runtime', () => {
  const tmp = tempDir();
  let model: LoadedModel;
  const logs: string[] = [];
  beforeAll(async () => {
    model = await loadModel(writePythonModel(tmp.dir), { python: PYTHON, log: (chunk) => logs.push(chunk) });
  });
  afterAll(async () => {
    await model.close();
    tmp.cleanup();
  });

  it('serves many requests from one long-lived worker, multiplexed by id', async () => {
    const pid = model.workerPid;
    expect(pid).toBeGreaterThan(0);
    for (let i = 0; i < 20; i += 1) {
      const [prediction] = await model.predict([{ x: i, color: 'red' }]);
      expect(prediction?.label).toBe(expectedLabel(i));
      expect((prediction as { pid?: number }).pid).toBe(pid);
    }
    // Concurrent requests, a slow one first: answers are matched by id, not by order.
    const xs = [-5, 1, 7, 3, 9, 5.5, 2, 8];
    const results = await Promise.all(
      xs.map((x) =>
        model.predict([
          { x, color: 'c' },
          { x: x + 1, color: 'c' },
        ]),
      ),
    );
    results.forEach((predictions, i) => {
      const x = xs[i] as number;
      expect(predictions.map((p) => p.label)).toEqual([expectedLabel(x), expectedLabel(x + 1)]);
    });
    expect(model.workerPid).toBe(pid);
    expect(logs.join('')).toContain('python model ready');
  });

  it('turns an error line into MODEL_PREDICT_FAILED and keeps the worker', async () => {
    const pid = model.workerPid;
    expect(await codeOf(model.predict([{ x: -1, color: 'a' }]))).toBe('MODEL_PREDICT_FAILED');
    expect((await model.predict([{ x: 6, color: 'a' }]))[0]?.label).toBe('big');
    expect(model.workerPid).toBe(pid);
  });

  it('fails in-flight requests clearly when the worker crashes, then restarts it', async () => {
    const pid = model.workerPid;
    // Both are written to the worker before it reads the first, which kills it.
    const crash = model.predict([{ x: -999, color: 'a' }]);
    const queued = model.predict([{ x: 7, color: 'a' }]);
    const results = await Promise.allSettled([crash, queued]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as CairnError;
      expect(reason.code).toBe('SERVE_WORKER_CRASHED');
      expect(reason.message).toContain('exit code 3');
    }
    const [after] = await model.predict([{ x: 9, color: 'a' }]);
    expect(after?.label).toBe('big');
    expect((after as { pid?: number }).pid).not.toBe(pid);
    expect(model.workerPid).toBe((after as { pid?: number }).pid);
  });

  it('names a missing interpreter', async () => {
    expect(
      await codeOf(loadModel(writePythonModel(join(tmp.dir, 'x')), { python: join(tmp.dir, 'no-python') })),
    ).toBe('SERVE_PYTHON_NOT_FOUND');
  });
});
