import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { executorContext, executorWorkspace } from '../../../test/trained-workspace';
import trainExecutor from './executor';

describe('train executor', () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(async () => ({ root, cleanup } = await executorWorkspace()));
  afterAll(() => cleanup());

  it('trains the context project: artifact pointer, metrics and run record as its outputs', async () => {
    const result = await trainExecutor({}, executorContext(root, 'm'));
    expect(result).toEqual({ success: true });
    const pointer = JSON.parse(readFileSync(join(root, 'dist/cairn/models/m/train/model.cairn'), 'utf8'));
    expect(pointer.hash).toMatch(/^[0-9a-f]{64}\.dir$/);
    const run = JSON.parse(readFileSync(join(root, 'dist/cairn/models/m/train/run.json'), 'utf8'));
    expect(run).toMatchObject({ project: 'm', metrics: { n_train: 80, params: { depth: 2 } } });
  });

  it('`project` overrides the context project (an experiment trains with its own params)', async () => {
    expect(await trainExecutor({ project: 'e' }, executorContext(root, 'm'))).toEqual({ success: true });
    const run = JSON.parse(readFileSync(join(root, 'dist/cairn/experiments/e/train/run.json'), 'utf8'));
    expect(run).toMatchObject({ project: 'e', kind: 'experiment', params: { depth: 5 } });
  });

  it('fails with one coded line, no stack, for a failing command, an unknown project or none', async () => {
    const failures: Array<[Parameters<typeof trainExecutor>[0], string | undefined, string]> = [
      [{}, 'broken', 'TRAIN_COMMAND_FAILED'],
      [{ project: 'nope' }, undefined, 'PROJECT_NOT_FOUND'],
      [{}, undefined, 'EXECUTOR_PROJECT_REQUIRED'],
    ];
    for (const [options, projectName, code] of failures) {
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(await trainExecutor(options, executorContext(root, projectName))).toEqual({ success: false });
        const written = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
        expect(written).toContain(code);
        expect(written).not.toMatch(/\n\s+at /);
      } finally {
        stderr.mockRestore();
      }
    }
    expect(existsSync(join(root, 'dist/cairn/models/broken/train/model.cairn'))).toBe(false);
  });
});
