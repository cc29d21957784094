import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, TestWorkspace } from './workspace';
import { exampleDatasetPath } from '../../test-support/src';

describe('generators end to end: a fresh workspace scaffolded with init, dataset and model, then trained', () => {
  let ws: TestWorkspace;
  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace();
    ws.write('nx.json', JSON.stringify({ neverConnectToCloud: true }));
    ws.write('incoming/iris.csv', readFileSync(exampleDatasetPath('iris', 'iris.csv'), 'utf8'));
    ws.commit('empty workspace');
  });
  afterAll(() => ws?.dispose());

  it('init registers the plugin and is idempotent', () => {
    ws.nx('g', '@cairn/nx:init', '--no-interactive');
    const once = ws.read('nx.json') + ws.read('.gitignore');
    ws.nx('g', '@cairn/nx:init', '--no-interactive');
    expect(ws.read('nx.json') + ws.read('.gitignore')).toBe(once);
    expect(JSON.parse(ws.read('nx.json')).plugins).toContain('@cairn/nx');
  });

  it('dataset --dry-run writes nothing; dataset tracks the data and writes dataset.json', () => {
    const dry = ws.nx(
      'g',
      '@cairn/nx:dataset',
      'iris',
      '--source=incoming/iris.csv',
      '--label=species',
      '--dry-run',
      '--no-interactive',
    );
    expect(dry.stdout).toContain('CREATE datasets/iris/dataset.json');
    expect(ws.exists('datasets/iris')).toBe(false);

    ws.nx(
      'g',
      '@cairn/nx:dataset',
      'iris',
      '--source=incoming/iris.csv',
      '--label=species',
      '--no-interactive',
    );
    expect(ws.exists('datasets/iris/iris.csv.cairn')).toBe(true);
    expect(ws.run('git', ['check-ignore', '-q', 'datasets/iris/iris.csv']).code).toBe(0);
    const config = JSON.parse(ws.read('datasets/iris/dataset.json'));
    expect(config.validation.columns.species.categories).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('model scaffolds from the TypeScript template and trains and evaluates through Nx', () => {
    ws.nx('g', '@cairn/nx:model', 'iris-forest', '--dataset=iris', '--template=ts', '--no-interactive');
    ws.commit('scaffolded');
    const run = TestWorkspace.tasks(ws.nx('run', 'iris-forest:evaluate', '--outputStyle=static').stdout);
    // train waits for its dataset's validate and for the model's own tests on synthetic data
    // (validateBeforeTrain and testBeforeTrain default to true).
    expect(run.executed).toEqual([
      'iris-forest:evaluate',
      'iris-forest:test',
      'iris-forest:train',
      'iris:validate',
    ]);
    const metrics = JSON.parse(ws.read('models/iris-forest/metrics.json'));
    expect(metrics.metrics.accuracy).toBeGreaterThan(0.85);
    expect(metrics.split.testRows).toBe(30);
    ws.nx('run', 'iris:validate');
    expect(JSON.parse(ws.read('dist/cairn/datasets/iris/validate/validation-report.json')).ok).toBe(true);
  });

  it('monitor writes a dashboard and Prometheus rules that promtool accepts, with tests that pass', () => {
    ws.nx('run', 'iris-forest:monitor', '--outputStyle=static');
    const dir = 'dist/cairn/models/iris-forest/monitor';
    expect(JSON.parse(ws.read(`${dir}/dashboard.json`)).uid).toBeTruthy();
    ws.ok('promtool', ['check', 'rules', ws.path(dir, 'rules.yml')]);
    ws.ok('promtool', ['test', 'rules', ws.path(dir, 'rules.test.yml')]);
  });

  it('deploy writes Kubernetes manifests and main.tf.json as cached Nx outputs', () => {
    const first = TestWorkspace.tasks(
      ws.nx('run', 'iris-forest:deploy', '--terraform', '--outputStyle=static').stdout,
    );
    expect(first.executed).toContain('iris-forest:deploy');
    const dir = 'dist/cairn/models/iris-forest/deploy';
    const manifests = ws.read(`${dir}/kubernetes.yaml`);
    for (const kind of [
      'Rollout',
      'AnalysisTemplate',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
    ])
      expect(manifests).toContain(`kind: ${kind}`);
    rmSync(ws.path(dir), { recursive: true, force: true });
    const second = TestWorkspace.tasks(
      ws.nx('run', 'iris-forest:deploy', '--terraform', '--outputStyle=static').stdout,
    );
    expect(second.cached).toContain('iris-forest:deploy');
    expect(ws.read(`${dir}/kubernetes.yaml`)).toBe(manifests);
    expect(Object.keys(JSON.parse(ws.read(`${dir}/main.tf.json`)).resource.kubernetes_manifest)).toHaveLength(
      6,
    );
  });

  it('serve answers predictions for the trained project model and exports its metrics', async () => {
    const server = spawn(
      ws.path('node_modules/.bin/cairn'),
      ['task', 'serve', 'iris-forest', '--port', '0', '--json'],
      {
        cwd: ws.root,
        env: ws.env,
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /"url":\s*"([^"]+)"/.exec(out);
          if (match) resolve(match[1]!);
        });
        server.once('exit', (code) => reject(new Error(`cairn task serve exited with ${code}: ${out}`)));
      });
      const response = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          rows: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { predictions: { label: string }[] };
      expect(body.predictions[0]!.label).toBe('setosa');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/cairn_model_predictions_total\{[^}]*class="setosa"[^}]*\} 1/);
    } finally {
      server.kill();
    }
  });
});
