import { rmSync, unlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace } from './workspace';

interface GcJson {
  dryRun: boolean;
  removed: Array<{ id: string; size: number }>;
  kept: number;
}

describe('cairn gc after training (real Nx CLI, real git repo)', () => {
  let ws: TestWorkspace;
  let garbage: string;

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace('cairn-e2e-gc-');
    addDataset(ws, 'alpha', datasetCsv(60, 1));
    addModel(ws, 'm', { datasets: ['alpha'] });
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    // Garbage: stored, then its pointer deleted (before the commit: the .gitignore line `cairn add` writes at the
    // workspace root is a task input of Nx, and a later edit would turn the cache hit below into a miss).
    ws.write('scratch.bin', 'nothing refers to this any more');
    ws.cairn('add', 'scratch.bin');
    garbage = (JSON.parse(ws.read('scratch.bin.cairn')) as { hash: string }).hash;
    unlinkSync(ws.path('scratch.bin.cairn'));
    ws.commit('dataset and model');
  });
  afterAll(() => ws?.dispose());

  it('keeps the trained model: a cache hit of train after gc is followed by a working evaluate', () => {
    // train waits for its dataset's validate (validateBeforeTrain defaults to true).
    expect(TestWorkspace.tasks(ws.nx('run', 'm:train', '--outputStyle=static').output).executed).toEqual([
      'alpha:validate',
      'm:train',
    ]);

    const dry = JSON.parse(ws.cairn('gc', '--dry-run', '--json').stdout) as GcJson;
    expect(dry.removed).toEqual([{ id: garbage, size: 'nothing refers to this any more\n'.length }]);
    const real = JSON.parse(ws.cairn('gc', '--json').stdout) as GcJson;
    expect(real).toMatchObject({ dryRun: false, removed: dry.removed, kept: dry.kept });

    // The build output goes (a clean checkout, `git clean -fdX`): the model's pointer now lives only in the
    // Nx cache entry of the train task, and gc must still keep its objects.
    rmSync(ws.path('dist'), { recursive: true, force: true });
    expect((JSON.parse(ws.cairn('gc', '--json').stdout) as GcJson).removed).toEqual([]);

    // Nothing they hash changed: the dataset's validate is a cache hit too.
    expect(TestWorkspace.tasks(ws.nx('run', 'm:train', '--outputStyle=static').output).cached).toEqual([
      'alpha:validate',
      'm:train',
    ]);
    const evaluate = ws.nx(
      'run',
      'm:evaluate',
      '--excludeTaskDependencies',
      '--skip-nx-cache',
      '--outputStyle=static',
    );
    expect(evaluate.output).not.toContain('DATA_UNAVAILABLE');
    expect(ws.exists('dist/cairn/models/m/evaluate/metrics.json')).toBe(true);
    expect(ws.exists('dist/cairn/models/m/model/cairn-model.json')).toBe(true);
  });
});
