import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace } from './workspace';

/** The stack of a thrown error, as Node prints it: never shown for bad data. */
const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

/**
 * Issue 9, items 6 and 7 through the real Nx CLI: data edited without `cairn
 * add` is never trained on nor served from cache, and data that breaks its
 * validation spec stops the run before training.
 */
describe('no stale cache hit: data edited without `cairn add` stops every run that reaches a Cairn target', () => {
  let ws: TestWorkspace;
  let original: string;
  const nxBin = () => ws.path('node_modules', '.bin', 'nx');

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace('cairn-e2e-stale-');
    addDataset(ws, 'alpha', datasetCsv(40, 7));
    addDataset(ws, 'beta', datasetCsv(30, 8));
    addModel(ws, 'one', { datasets: ['alpha'] });
    addModel(ws, 'two', { datasets: ['beta'] });
    // An ordinary project whose lint has nothing to do with data.
    ws.write(
      'libs/plain/project.json',
      JSON.stringify({
        name: 'plain',
        targets: { lint: { executor: 'nx:run-commands', options: { command: 'echo plain-lint-ran' } } },
      }),
    );
    ws.cairn('add', 'datasets/alpha/alpha.csv', 'datasets/beta/beta.csv');
    ws.commit('init');
    const first = ws.nx('run-many', '-t', 'train', '--outputStyle=static');
    expect(TestWorkspace.tasks(first.stdout).executed).toEqual(
      expect.arrayContaining(['one:train', 'two:train']),
    );
    original = ws.read('datasets/alpha/alpha.csv');
    // Appended without `cairn add`: the pointer, and so every task hash, is unchanged.
    ws.write('datasets/alpha/alpha.csv', `${original.trimEnd()}\n1.5,2,a\n`);
  });
  afterAll(() => ws?.dispose());

  it.each([
    ['run-many', ['run-many', '-t', 'train']],
    ['run', ['run', 'one:train']],
    ['run-many -p', ['run-many', '-t', 'evaluate', '-p', 'two']],
    ['target project', ['evaluate', 'two']],
    ['affected', ['affected', '-t', 'train', 'evaluate', '--files=models/two/model.json']],
  ])('nx %s fails with DATA_MODIFIED naming the file, before any task (cache hits included)', (_, args) => {
    const result = ws.run(nxBin(), [...args, '--outputStyle=static']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('DATA_MODIFIED');
    expect(result.output).toContain(
      'datasets/alpha/alpha.csv differs from its pointer datasets/alpha/alpha.csv.cairn',
    );
    expect(result.output).toContain('npx cairn add datasets/alpha/alpha.csv');
    expect(result.output).not.toMatch(STACK_FRAME);
    // No task ran or was restored: not even the cache hits of the unaffected model `two`.
    expect(TestWorkspace.tasks(result.stdout)).toEqual({ executed: [], cached: [] });
    expect(result.output).not.toContain('[local cache]');
    expect(ws.trainRuns('one') + ws.trainRuns('two')).toBe(2);
  });

  it('a command that reaches no Cairn target (nx lint) is not blocked by the edit', () => {
    const result = ws.nx('run', 'plain:lint', '--outputStyle=static');
    expect(result.output).toContain('plain-lint-ran');
    expect(ws.nx('run-many', '-t', 'lint', '--outputStyle=static').output).toContain('plain-lint-ran');
  });

  it('with the edit reverted, the same run is all cache hits again, exit 0', () => {
    ws.write('datasets/alpha/alpha.csv', original);
    const result = ws.nx('run-many', '-t', 'train', '--outputStyle=static');
    const tasks = TestWorkspace.tasks(result.stdout);
    expect(tasks.executed).toEqual([]);
    expect(tasks.cached).toEqual(expect.arrayContaining(['one:train', 'two:train']));
    expect(ws.trainRuns('one') + ws.trainRuns('two')).toBe(2);
  });

  it('after `cairn add` of the edit, the new pointer retrains exactly the model that reads it', () => {
    ws.write('datasets/alpha/alpha.csv', `${original.trimEnd()}\n1.5,2,a\n`);
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    const tasks = TestWorkspace.tasks(ws.nx('run-many', '-t', 'train', '--outputStyle=static').stdout);
    expect(tasks.executed).toContain('one:train');
    expect(tasks.executed).not.toContain('two:train');
    expect(ws.trainRuns('one')).toBe(2);
  });

  it('data not pulled yet is not "modified": the run restores it from the store', () => {
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    ws.commit('alpha v2');
    ws.run('rm', ['-f', ws.path('datasets/beta/beta.csv')]);
    const result = ws.nx('run', 'two:evaluate', '--skip-nx-cache', '--outputStyle=static');
    expect(result.output).not.toContain('DATA_MODIFIED');
    expect(ws.read('datasets/beta/beta.csv')).toBe(`${datasetCsv(30, 8)}\n`);
  });
});

describe('validate before train: data outside its declared range never trains nor caches', () => {
  let ws: TestWorkspace;
  const nxBin = () => ws.path('node_modules', '.bin', 'nx');

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace('cairn-e2e-validate-');
    // datasetCsv's x is value / 10 with value < 1000: 100.5 breaks the declared range.
    ws.write('datasets/ranged/ranged.csv', `${datasetCsv(40, 9).trimEnd()}\n100.5,5,a\n`);
    ws.write(
      'datasets/ranged/dataset.json',
      JSON.stringify({
        data: 'ranged.csv',
        label: 'label',
        validation: { columns: { x: { type: 'number', min: 0, max: 100 } } },
      }),
    );
    addModel(ws, 'guarded', { datasets: ['ranged'] });
    // An experiment reaches the dataset only through its model: Nx looks through the model for `^validate`.
    ws.write('experiments/variant/experiment.json', JSON.stringify({ model: 'guarded', params: { v: 2 } }));
    ws.cairn('add', 'datasets/ranged/ranged.csv');
    ws.commit('init');
  });
  afterAll(() => ws?.dispose());

  it('train depends on validate by default: the range error stops the run before training, twice (nothing cached)', () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = ws.run(nxBin(), ['run-many', '-t', 'train', '--outputStyle=static']);
      expect(result.code).not.toBe(0);
      const tasks = TestWorkspace.tasks(result.stdout);
      expect(tasks.executed).toContain('ranged:validate');
      expect(tasks.executed).not.toContain('guarded:train');
      expect(tasks.executed).not.toContain('variant:train');
      expect(tasks.cached).toEqual([]);
      expect(result.output).toMatch(/range/);
      expect(result.output).toContain('100.5');
      expect(ws.trainRuns('guarded') + ws.trainRuns('variant')).toBe(0);
      expect(ws.exists('dist/cairn/models/guarded/train')).toBe(false);
      expect(ws.exists('dist/cairn/experiments/variant/train')).toBe(false);
    }
  });

  it('nx show project lists validate of the datasets as a dependency of train', () => {
    const project = JSON.parse(ws.nx('show', 'project', 'guarded', '--json').stdout);
    expect(project.targets.train.dependsOn).toEqual(['^validate']);
  });

  it("the experiment alone also stops at its datasets' validate (found through its model)", () => {
    const result = ws.run(nxBin(), ['run', 'variant:train', '--outputStyle=static']);
    expect(result.code).not.toBe(0);
    const tasks = TestWorkspace.tasks(result.stdout);
    expect(tasks.executed).toEqual(['ranged:validate']);
    expect(ws.trainRuns('variant')).toBe(0);
  });

  it('"validateBeforeTrain": false in model.json trains without validating', () => {
    const config = JSON.parse(ws.read('models/guarded/model.json'));
    ws.write('models/guarded/model.json', JSON.stringify({ ...config, validateBeforeTrain: false }));
    const result = ws.nx('run', 'guarded:train', '--outputStyle=static');
    const tasks = TestWorkspace.tasks(result.stdout);
    expect(tasks.executed).toEqual(['guarded:train']);
    expect(ws.trainRuns('guarded')).toBe(1);
  });
});

describe('nx g @cairn/nx:dataset checks --label against the data', () => {
  let ws: TestWorkspace;

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace('cairn-e2e-label-');
    ws.write('incoming/flowers.csv', 'petal,width,kind\n1.5,2,a\n2.5,3,b\n0.5,1,c\n1.5,2,a\n2,3,b\n1,1,c\n');
    ws.commit('init');
  });
  afterAll(() => ws?.dispose());

  it('a label that is not a column fails listing the columns, without a stack trace, and creates nothing', () => {
    const result = ws.run(ws.path('node_modules', '.bin', 'nx'), [
      'g',
      '@cairn/nx:dataset',
      'flowers',
      '--source=incoming/flowers.csv',
      '--label=species',
      '--no-interactive',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      '--label "species" is not a column of flowers.csv; its columns: petal, width, kind',
    );
    expect(result.output).not.toMatch(STACK_FRAME);
    expect(ws.exists('datasets/flowers')).toBe(false);
  });

  it('a label that is a column prints the inferred task', () => {
    const result = ws.nx(
      'g',
      '@cairn/nx:dataset',
      'flowers',
      '--source=incoming/flowers.csv',
      '--label=kind',
      '--no-interactive',
    );
    expect(result.output).toContain('Label "kind": 3 classes (a, b, c), so the task is multiclass');
    expect(ws.exists('datasets/flowers/flowers.csv.cairn')).toBe(true);
  });
});
