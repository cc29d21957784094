import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace } from './workspace';

describe('bad input through the real Nx CLI', () => {
  let ws: TestWorkspace;
  const nxBin = () => ws.path('node_modules', '.bin', 'nx');

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace();
    addDataset(ws, 'alpha', datasetCsv(40, 3));
    addModel(ws, 'good', { datasets: ['alpha'] });
    addModel(ws, 'failing', { datasets: ['alpha'], env: { FAIL_TRAINING: '1' } });
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    ws.commit('init');
  });
  afterAll(() => ws?.dispose());

  it('a malformed model.json fails graph creation naming the file, the field and what is valid, without a stack trace', () => {
    const config = JSON.parse(ws.read('models/good/model.json'));
    ws.write('models/good/model.json', JSON.stringify({ ...config, task: 'classify' }));
    const result = ws.run(nxBin(), ['show', 'projects']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'models/good/model.json: /task must be one of "binary", "multiclass", "regression"',
    );
    expect(result.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    ws.write('models/good/model.json', JSON.stringify(config, null, 2));
  });

  it('a model naming a missing dataset fails naming the file and the known datasets', () => {
    const config = JSON.parse(ws.read('models/good/model.json'));
    ws.write('models/good/model.json', JSON.stringify({ ...config, datasets: ['alhpa'] }));
    const result = ws.run(nxBin(), ['show', 'projects']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('models/good/model.json: no dataset project named "alhpa"');
    ws.write('models/good/model.json', JSON.stringify(config, null, 2));
    expect(ws.run(nxBin(), ['show', 'projects']).code).toBe(0);
  });

  it('a failing training command surfaces its exit code and output, and nothing half-written is cached', () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = ws.run(nxBin(), ['run', 'failing:train', '--outputStyle=static']);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('trainer: deliberate failure');
      expect(result.output).toContain('TRAIN_COMMAND_FAILED');
      expect(result.output).toContain('exited with code 3');
      // Only the dataset's validate (which train waits for) may come from the cache.
      const { cached } = TestWorkspace.tasks(result.stdout);
      expect(cached.filter((task) => task !== 'alpha:validate')).toEqual([]);
      expect(ws.exists('dist/cairn/models/failing/train')).toBe(false);
    }
    expect(ws.trainRuns('failing')).toBe(0);
  });

  it('data edited without `cairn add` is refused: the pointer Nx hashed would not describe it', () => {
    const original = ws.read('datasets/alpha/alpha.csv');
    ws.write('datasets/alpha/alpha.csv', `${original.trimEnd()}\n9,9,a\n`);
    const result = ws.run(nxBin(), ['run', 'good:train', '--skip-nx-cache', '--outputStyle=static']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('DATA_MODIFIED');
    expect(result.output).toContain(
      'datasets/alpha/alpha.csv differs from its pointer datasets/alpha/alpha.csv.cairn',
    );
    ws.write('datasets/alpha/alpha.csv', original);
  });

  it('a pointer whose object is in no store fails naming the pointer file', () => {
    rmSync(ws.path('datasets/alpha/alpha.csv'));
    rmSync(ws.path('.cairn/cache'), { recursive: true, force: true });
    const result = ws.run(nxBin(), ['run', 'good:train', '--skip-nx-cache', '--outputStyle=static']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('DATA_UNAVAILABLE');
    expect(result.output).toContain('datasets/alpha/alpha.csv.cairn');
  });

  it('the explicit @cairn/nx:train and :evaluate executors run the same steps as the inferred targets', () => {
    // The previous test emptied the store: the same bytes re-added give the same pointer.
    ws.write('datasets/alpha/alpha.csv', datasetCsv(40, 3));
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    ws.write(
      'models/good/project.json',
      JSON.stringify({
        targets: {
          'train-explicit': { executor: '@cairn/nx:train' },
          'evaluate-explicit': {
            executor: '@cairn/nx:evaluate',
            options: { cv: 2 },
            dependsOn: ['train-explicit'],
          },
        },
      }),
    );
    const before = ws.trainRuns('good');
    ws.nx('run', 'good:evaluate-explicit', '--skip-nx-cache', '--outputStyle=static');
    expect(ws.trainRuns('good')).toBe(before + 1);
    expect(JSON.parse(ws.read('models/good/metrics.json')).cv.folds).toBe(2);
  });
});
