import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace } from './workspace';

/** A model test command: passes when the synthetic data follows the spec and the shared library loads. */
const MODEL_TEST = `
import { readFileSync } from 'node:fs';
import { scale } from '../../libs/features/index.mjs';
const [header, ...rows] = readFileSync(process.env.CAIRN_SYNTH_FILE, 'utf8').trim().split('\\n');
if (header !== 'x,y,label' || rows.length !== 30 || scale !== 1) process.exit(1);
if (!rows.every((row) => /^[0-9.]+,[0-9.]+,(a|b)$/.test(row))) process.exit(1);
console.log('model test: ok on', rows.length, 'synthetic rows');
`;

describe('code tests before training, and reproduction, through the real Nx CLI', () => {
  let ws: TestWorkspace;
  /** The tasks a run executed and served from cache (a task without outputs is cached as "existing outputs match"). */
  const run = (...args: string[]) => {
    const lines = [...ws.nx(...args, '--outputStyle=static').stdout.matchAll(/^> nx run (\S+:\S+)(.*)$/gm)];
    const unique = (ids: string[]) => [...new Set(ids)].sort();
    const isCached = (rest: string) =>
      /\[(local cache|remote cache|existing outputs match the cache, left as is)\]/.test(rest);
    return {
      executed: unique(lines.filter((m) => !isCached(m[2]!)).map((m) => m[1]!)),
      cached: unique(lines.filter((m) => isCached(m[2]!)).map((m) => m[1]!)),
    };
  };

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace();
    addDataset(ws, 'alpha', datasetCsv(60, 1));
    const dataset = JSON.parse(ws.read('datasets/alpha/dataset.json'));
    ws.write(
      'datasets/alpha/dataset.json',
      JSON.stringify({
        ...dataset,
        validation: {
          columns: {
            x: { type: 'number', min: 0, max: 100, nullable: false },
            y: { type: 'number', min: 0, max: 96, nullable: false },
            label: { categories: ['a', 'b'], nullable: false },
          },
        },
      }),
    );
    ws.write('libs/features/project.json', JSON.stringify({ name: 'features' }));
    ws.write('libs/features/index.mjs', 'export const scale = 1;');
    addModel(ws, 'tested', { datasets: ['alpha'], dependsOn: ['features'] });
    const config = JSON.parse(ws.read('models/tested/model.json'));
    ws.write(
      'models/tested/model.json',
      JSON.stringify({ ...config, test: { command: 'node model-test.mjs', rows: 30 } }),
    );
    ws.write('models/tested/model-test.mjs', MODEL_TEST);
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    ws.commit('dataset, library and a tested model');
  });
  afterAll(() => ws?.dispose());

  it('runs the code tests before training, without data, and new data does not rerun them', () => {
    const first = run('run', 'tested:train');
    expect(first.executed).toEqual(['alpha:validate', 'tested:test', 'tested:train']);

    // The tests need no data: with the data file gone they run (for real, cache skipped) and pass.
    rmSync(ws.path('datasets/alpha/alpha.csv'));
    expect(run('run', 'tested:test', '--skip-nx-cache').executed).toEqual(['tested:test']);
    ws.cairn('checkout', 'datasets/alpha/alpha.csv');

    // New data (a new pointer) retrains but does not retest.
    ws.write('datasets/alpha/alpha.csv', datasetCsv(80, 2));
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    ws.commit('new data');
    const newData = run('run', 'tested:train');
    expect(newData.executed).toEqual(['alpha:validate', 'tested:train']);
    expect(newData.cached).toEqual(['tested:test']);
  });

  it('a change to the shared library makes its dependents affected and retests them', () => {
    ws.write('libs/features/index.mjs', 'export const scale = 1; // reviewed');
    // nx affected reaches the model through its graph edge, and the library's files are test inputs: a real rerun.
    expect(run('affected', '-t', 'test', '--base=HEAD').executed).toEqual(['tested:test']);
    // A failing library breaks the tests before any training.
    ws.write('libs/features/index.mjs', 'export const scale = 2;');
    const failed = ws.run(ws.path('node_modules', '.bin', 'nx'), [
      'run',
      'tested:train',
      '--outputStyle=static',
    ]);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('MODEL_TESTS_FAILED');
    expect(ws.trainRuns('tested')).toBe(2);
    ws.git('checkout', '--', 'libs/features/index.mjs');
  });

  it('reproduces the recorded training through the reproduce target, and says when it cannot', () => {
    const reproduced = ws.nx('run', 'tested:reproduce', '--outputStyle=static');
    expect(reproduced.output).toMatch(/^reproduced: run [0-9a-f]{12} of tested at [0-9a-f]{12}/m);
    const missing = ws.run(ws.path('node_modules', '.bin', 'cairn'), ['reproduce', 'ffffffffffff']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('RUN_RECORD_NOT_FOUND');
  });
});
