import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace } from './workspace';

describe('nx affected with the Cairn plugin (real Nx CLI, real git repo)', () => {
  let ws: TestWorkspace;
  const affected = () =>
    JSON.parse(ws.nx('show', 'projects', '--affected', '-t', 'train', '--base=HEAD', '--json').stdout).sort();

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace();
    addDataset(ws, 'alpha', datasetCsv(60, 1));
    addDataset(ws, 'beta', datasetCsv(60, 2));
    ws.write('libs/features/project.json', JSON.stringify({ name: 'features' }));
    ws.write('libs/features/index.mjs', 'export const scale = 1;');
    addModel(ws, 'alpha-plain', { datasets: ['alpha'] });
    addModel(ws, 'alpha-features', {
      datasets: ['alpha'],
      dependsOn: ['features'],
      extraCode: "import { scale } from '../../libs/features/index.mjs';\nvoid scale;",
    });
    addModel(ws, 'beta-plain', { datasets: ['beta'] });
    // An experiment trains alpha-plain's code with other params.
    ws.write(
      'experiments/alpha-deep/experiment.json',
      JSON.stringify({ model: 'alpha-plain', params: { depth: 9 } }),
    );
    ws.cairn('add', 'datasets/alpha/alpha.csv', 'datasets/beta/beta.csv');
    ws.commit('datasets and models');
  });
  afterAll(() => ws?.dispose());

  it('infers the projects, their targets and the graph edges from the config files', () => {
    const graph = JSON.parse(ws.nx('graph', '--file=stdout').stdout) as {
      graph: {
        nodes: Record<string, { data: { targets: Record<string, { metadata?: { description?: string } }> } }>;
        dependencies: Record<string, { target: string }[]>;
      };
    };
    const { nodes, dependencies } = graph.graph;
    expect(Object.keys(nodes).sort()).toEqual([
      'alpha',
      'alpha-deep',
      'alpha-features',
      'alpha-plain',
      'beta',
      'beta-plain',
      'features',
    ]);
    expect(Object.keys(nodes['alpha-plain']!.data.targets)).toEqual(
      expect.arrayContaining(['train', 'evaluate', 'compare', 'monitor']),
    );
    expect(Object.keys(nodes.alpha!.data.targets)).toEqual(expect.arrayContaining(['validate', 'pull']));
    expect(nodes['alpha-plain']!.data.targets.train!.metadata?.description).toMatch(/Trains the model/);
    expect(dependencies['alpha-features']!.map((d) => d.target).sort()).toEqual(['alpha', 'features']);
    expect(dependencies['beta-plain']!.map((d) => d.target)).toEqual(['beta']);
    // Its data comes through the model (^cairnInputs is transitive) unless it names datasets of its own.
    expect(dependencies['alpha-deep']!.map((d) => d.target)).toEqual(['alpha-plain']);
  });

  it('trains every model once; a second run is served entirely from the cache', () => {
    const first = TestWorkspace.tasks(
      ws.nx('run-many', '-t', 'train', 'evaluate', '--outputStyle=static').stdout,
    );
    // train waits for its datasets' validate (by default).
    expect(first.executed).toEqual([
      'alpha-deep:evaluate',
      'alpha-deep:train',
      'alpha-features:evaluate',
      'alpha-features:train',
      'alpha-plain:evaluate',
      'alpha-plain:train',
      'alpha:validate',
      'beta-plain:evaluate',
      'beta-plain:train',
      'beta:validate',
    ]);
    // The experiment ran the model's code with its own params.
    expect(JSON.parse(ws.read('dist/cairn/experiments/alpha-deep/train/run.json')).params).toEqual({
      depth: 9,
    });
    expect(ws.exists('models/alpha-plain/metrics.json')).toBe(true);
    expect(JSON.parse(ws.read('models/alpha-plain/metrics.json')).metrics.accuracy).toBeGreaterThan(0);
    ws.commit('baseline metrics');

    const second = TestWorkspace.tasks(
      ws.nx('run-many', '-t', 'train', 'evaluate', '--outputStyle=static').stdout,
    );
    expect(second.executed).toEqual([]);
    expect(second.cached).toHaveLength(10);
    expect(['alpha-plain', 'alpha-features', 'beta-plain'].map((p) => ws.trainRuns(p))).toEqual([1, 1, 1]);
  });

  it('changing one dataset retrains exactly its dependents, and reverting the data hits the cache again', () => {
    const original = ws.read('datasets/alpha/alpha.csv');
    ws.write('datasets/alpha/alpha.csv', `${original.trimEnd()}\n1.5,2,a\n2.5,3,b\n`);
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    expect(affected()).toEqual(['alpha-deep', 'alpha-features', 'alpha-plain']);

    const run = TestWorkspace.tasks(
      ws.nx('affected', '-t', 'train', '--base=HEAD', '--outputStyle=static').stdout,
    );
    expect(run.executed).toEqual([
      'alpha-deep:train',
      'alpha-features:train',
      'alpha-plain:train',
      'alpha:validate',
    ]);
    expect(['alpha-plain', 'alpha-features', 'beta-plain'].map((p) => ws.trainRuns(p))).toEqual([2, 2, 1]);

    ws.write('datasets/alpha/alpha.csv', original);
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    expect(ws.git('status', '--porcelain').stdout.trim()).toBe('');
    const reverted = TestWorkspace.tasks(ws.nx('run-many', '-t', 'train', '--outputStyle=static').stdout);
    expect(reverted.executed).toEqual([]);
    expect(['alpha-plain', 'alpha-features'].map((p) => ws.trainRuns(p))).toEqual([2, 2]);
  });

  it("changing one model's params affects only that model; editing its README retrains nothing", () => {
    // Nx calls a project "affected" when any of its files changed, but the README is not a train input: cache hit.
    ws.write('models/beta-plain/README.md', '# notes\n');
    const readmeOnly = TestWorkspace.tasks(
      ws.nx('affected', '-t', 'train', '--base=HEAD', '--outputStyle=static').stdout,
    );
    expect(readmeOnly).toEqual({ executed: [], cached: ['beta-plain:train', 'beta:validate'] });
    ws.commit('readme');
    const config = JSON.parse(ws.read('models/alpha-plain/model.json'));
    ws.write('models/alpha-plain/model.json', JSON.stringify({ ...config, params: { depth: 3 } }, null, 2));
    // The experiment trains alpha-plain's code, so it is affected too.
    expect(affected()).toEqual(['alpha-deep', 'alpha-plain']);
    ws.git('checkout', '--', 'models/alpha-plain/model.json');
    ws.write(
      'experiments/alpha-deep/experiment.json',
      JSON.stringify({ model: 'alpha-plain', params: { depth: 10 } }),
    );
    expect(affected()).toEqual(['alpha-deep']);
    ws.git('checkout', '--', 'experiments/alpha-deep/experiment.json');
  });

  it('changing a shared feature library affects exactly the models that depend on it', () => {
    ws.write('libs/features/index.mjs', 'export const scale = 2;');
    expect(affected()).toEqual(['alpha-features']);
    const run = TestWorkspace.tasks(
      ws.nx('affected', '-t', 'train', '--base=HEAD', '--outputStyle=static').stdout,
    );
    expect(run.executed).toEqual(['alpha-features:train']);
    ws.git('checkout', '--', 'libs/features/index.mjs');
  });
});
