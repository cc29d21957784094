import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executorContext, executorWorkspace, taskGraph } from '../../test/trained-workspace';
import { runBatch, type TaskOutcome } from './batch';

async function collect(outcomes: AsyncGenerator<TaskOutcome>): Promise<TaskOutcome[]> {
  const all: TaskOutcome[] = [];
  for await (const outcome of outcomes) all.push(outcome);
  return all;
}

describe('batch scheduler: every train or evaluate task of a run in one process', () => {
  let root: string;
  let cleanup: () => void;
  const parallel = process.env.NX_PARALLEL;
  beforeAll(async () => ({ root, cleanup } = await executorWorkspace()));
  afterAll(() => cleanup());
  afterEach(() => {
    if (parallel === undefined) delete process.env.NX_PARALLEL;
    else process.env.NX_PARALLEL = parallel;
  });

  it('runs a task only after its in-batch dependencies, isolates a failure and captures each output', async () => {
    const graph = taskGraph('train', ['e', 'broken', 'm'], { e: ['m'] });
    const outcomes = await collect(runBatch('train', graph, {}, executorContext(root)));
    expect(outcomes.map((o) => o.task).sort()).toEqual(['broken:train', 'e:train', 'm:train']);
    const byTask = Object.fromEntries(outcomes.map((o) => [o.task, o.result]));
    const order = outcomes.map((o) => o.task);
    expect(order.indexOf('m:train')).toBeLessThan(order.indexOf('e:train'));
    expect(byTask['e:train']!.startTime).toBeGreaterThanOrEqual(byTask['m:train']!.endTime);
    expect(byTask['m:train']).toMatchObject({ success: true });
    expect(byTask['e:train']).toMatchObject({ success: true });
    // The training command's own output is the task's terminal output, not this process's stdout.
    expect(byTask['m:train']!.terminalOutput).toContain('trained on 80 rows');
    expect(byTask['broken:train']!.success).toBe(false);
    expect(byTask['broken:train']!.terminalOutput).toContain('TRAIN_COMMAND_FAILED');
    expect(byTask['broken:train']!.terminalOutput).not.toMatch(/\n\s+at /);
    const run = JSON.parse(readFileSync(join(root, 'dist/cairn/experiments/e/train/run.json'), 'utf8'));
    expect(run.params).toEqual({ depth: 5 });
  });

  it('runs at most NX_PARALLEL tasks at once: with 1, each starts after the previous ended', async () => {
    process.env.NX_PARALLEL = '1';
    const outcomes = await collect(
      runBatch('evaluate', taskGraph('evaluate', ['m', 'e']), {}, executorContext(root)),
    );
    expect(outcomes.map((o) => o.task)).toEqual(['m:evaluate', 'e:evaluate']);
    expect(outcomes.every((o) => o.result.success)).toBe(true);
    expect(outcomes[1]!.result.startTime).toBeGreaterThanOrEqual(outcomes[0]!.result.endTime);
  });

  it('passes each task its own inputs and finishes a dependency cycle instead of hanging', async () => {
    const graph = taskGraph('evaluate', ['m', 'e'], { m: ['e'], e: ['m'] });
    const inputs = { 'm:evaluate': { cv: 4 }, 'e:evaluate': { cv: 3 } };
    const outcomes = await collect(runBatch('evaluate', graph, inputs, executorContext(root)));
    expect(outcomes.map((o) => o.task).sort()).toEqual(['e:evaluate', 'm:evaluate']);
    expect(outcomes.every((o) => o.result.success)).toBe(true);
    const folds = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')).cv.folds;
    expect(folds('models/m/metrics.json')).toBe(4);
    expect(folds('experiments/e/metrics.json')).toBe(3);
  });
});
