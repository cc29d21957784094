import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { executorContext, executorWorkspace } from '../../../test/trained-workspace';
import trainExecutor from '../train/executor';
import evaluateExecutor from './executor';

describe('evaluate executor', () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ root, cleanup } = await executorWorkspace());
    expect(await trainExecutor({}, executorContext(root, 'm'))).toEqual({ success: true });
  });
  afterAll(() => cleanup());

  it('scores the trained model on its held-out split and writes the committed metrics.json', async () => {
    expect(await evaluateExecutor({}, executorContext(root, 'm'))).toEqual({ success: true });
    const committed = JSON.parse(readFileSync(join(root, 'models/m/metrics.json'), 'utf8'));
    // The majority-class model is exactly as accurate as the majority share of the 20 test rows (14 "a").
    expect(committed.metrics.accuracy).toBeCloseTo(0.7, 12);
    expect(committed.split).toEqual({ test: 0.2, seed: 7, testRows: 20 });
    expect(committed.cv).toBeUndefined();
  });

  it('passes `cv` through: stratified k-fold cross-validation', async () => {
    expect(await evaluateExecutor({ cv: 5 }, executorContext(root, 'm'))).toEqual({ success: true });
    const committed = JSON.parse(readFileSync(join(root, 'models/m/metrics.json'), 'utf8'));
    expect(committed.cv.folds).toBe(5);
  });

  it('fails with one coded line when the model was never trained', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await evaluateExecutor({ project: 'e' }, executorContext(root))).toEqual({ success: false });
      expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain('ARTIFACT_INVALID');
    } finally {
      stderr.mockRestore();
    }
  });
});
