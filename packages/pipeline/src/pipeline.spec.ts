import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  gitIn as git,
  pointsCsv as csv,
  POINTS_MODEL as model,
  writePointsWorkspace,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
import { LocalRemote, pushObjects } from '@cairn/remote';
import {
  add,
  initWorkspace,
  loadConfig,
  workspaceObjectPath,
  readManifestObject,
  readPointer,
  referencedObjects,
  saveConfig,
} from '@cairn/store';
import {
  compare,
  compareFiles,
  discoverProjects,
  drift,
  ensureArtifact,
  evaluate,
  monitorProject,
  prepareData,
  projectNameAt,
  resolveTrainable,
  serveProject,
  train,
  RETRAIN_TRIGGER,
} from './index';
import { listExperiments, readExperiment, removeExperiments } from '@cairn/experiments';

describe('project naming from a path', () => {
  it('is the name in the nearest config, else its folder, and never looks past the workspace root', () => {
    const ws = mkdtempSync(join(tmpdir(), 'cairn-naming-'));
    onTestFinished(() => rmSync(ws, { recursive: true, force: true }));
    write(ws, 'nx.json', '{}');
    write(ws, 'models/folder/model.json', '{}');
    write(ws, 'models/named/model.json', JSON.stringify({ name: 'renamed' }));
    write(ws, 'models/broken/model.json', '{');
    write(ws, 'models/named/artifact/cairn-model.json', '{}');
    expect(projectNameAt(join(ws, 'models/named/artifact'), ['model'])).toBe('renamed');
    expect(projectNameAt(join(ws, 'models/folder'), ['model'])).toBe('folder');
    expect(projectNameAt(join(ws, 'models/broken/x'), ['model'])).toBe('broken');
    expect(projectNameAt(join(ws, 'models/named'), ['dataset'])).toBeUndefined();
    // A model.json above the workspace root is another workspace's business.
    write(ws, 'inner/nx.json', '{}');
    write(ws, 'model.json', '{}');
    expect(projectNameAt(join(ws, 'inner/x'), ['model'])).toBeUndefined();
  });
});

describe('pipeline: train, evaluate, compare and drift on a real store and git repo', () => {
  const root = mkdtempSync(join(tmpdir(), 'cairn-pipeline-'));

  beforeAll(async () => {
    writePointsWorkspace(root);
    await initWorkspace(root);
    await add(root, ['data/points/points.csv']);
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'init');
  });

  it('splits deterministically and stratified by the label', async () => {
    const first = await prepareData(root, 'm');
    const second = await prepareData(root, 'm');
    expect(first.test).toEqual(second.test);
    expect(first.test).toHaveLength(20);
    expect(first.train).toHaveLength(80);
    expect(first.test.filter((row) => row.label === 'a')).toHaveLength(14);
    expect(first.features).toEqual(['x', 'y']);
  });

  it('train runs the command with the contract, stores the artifact and writes pointer, metrics and run record', async () => {
    const record = await train({ workspaceRoot: root, project: 'm', log: () => undefined });
    expect(record.metrics).toEqual({ n_train: 80, params: { depth: 2 } });
    expect(record.split).toEqual({ test: 0.2, trainRows: 80, testRows: 20 });
    expect(record.inputs.points!.pointer).toBe('data/points/points.csv.cairn');
    expect(record.artifact.hash).toMatch(/^[0-9a-f]{64}\.dir$/);
    expect(record.git?.commit).toMatch(/^[0-9a-f]{40}$/);
    const pointer = JSON.parse(readFileSync(join(root, 'dist/cairn/models/m/train/model.cairn'), 'utf8'));
    expect(pointer.hash).toBe(record.artifact.hash);
    // The artifact beside the outputs is a private copy (or reflink): a retrain rewriting it cannot reach the store.
    expect(statSync(join(root, 'dist/cairn/models/m/model/cairn-model.json')).nlink).toBe(1);
    expect(readFileSync(join(root, '.cairn/runs/m.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    // ...and the experiment record in git, with what the run record knew and the steps the trainer logged
    const [listed] = (await listExperiments(root)).records;
    const tracked = await readExperiment(root, listed!.id);
    expect(tracked).toMatchObject({
      project: 'm',
      kind: 'train',
      status: 'succeeded',
      params: { depth: 2 },
      metrics: { n_train: 80 },
      data: { points: record.inputs.points!.hash },
      commit: record.git!.commit,
      artifacts: [record.artifact.hash],
      steps: {
        loss: [
          { step: 1, value: 1 },
          { step: 2, value: 0.5 },
          { step: 3, value: 1 / 3 },
        ],
      },
      context: {
        seed: 7,
        split: record.split,
        toolkitVersion: record.toolkitVersion,
        command: 'node train.cjs',
      },
    });
    expect(tracked).not.toHaveProperty('uncommitted');
    expect(git(root, 'for-each-ref', '--format=%(refname)', 'refs/cairn/exps')).toBe(
      `refs/cairn/exps/m/${tracked.id}`,
    );
  });

  it('a failed training run is recorded as failed; uncommitted code changes are hashed into the record', async () => {
    const trainer = readFileSync(join(root, 'models/m/train.cjs'), 'utf8');
    write(root, 'models/m/train.cjs', 'process.exit(4);\n');
    try {
      await expect(train({ workspaceRoot: root, project: 'm', log: () => undefined })).rejects.toMatchObject({
        code: 'TRAIN_COMMAND_FAILED',
      });
      const [failed] = (await listExperiments(root)).records;
      expect(failed).toMatchObject({ status: 'failed', kind: 'train', metrics: {}, artifacts: [] });
      expect(failed!.uncommitted).toMatch(/^[0-9a-f]{64}$/);
      const again = await train({ workspaceRoot: root, project: 'm', log: () => undefined }).catch(
        () => undefined,
      );
      expect(again).toBeUndefined();
      // the same uncommitted edit hashes the same
      expect((await listExperiments(root)).records[0]!.uncommitted).toBe(failed!.uncommitted);
    } finally {
      write(root, 'models/m/train.cjs', trainer);
    }
    await train({ workspaceRoot: root, project: 'm', log: () => undefined });
    await removeExperiments(
      root,
      (await listExperiments(root)).records.slice(1).map((r) => r.id),
    );
  });

  it('a project whose folder name cannot name a git ref still trains, unrecorded, and says so', async () => {
    write(root, 'models/odd name/model.json', JSON.stringify(model));
    write(root, 'models/odd name/train.cjs', readFileSync(join(root, 'models/m/train.cjs'), 'utf8'));
    write(root, 'models/odd name/predict.cjs', readFileSync(join(root, 'models/m/predict.cjs'), 'utf8'));
    const lines: string[] = [];
    const before = (await listExperiments(root)).records.length;
    try {
      await train({ workspaceRoot: root, project: 'odd name', log: (line) => lines.push(line) });
      expect(lines.join('\n')).toContain('odd name: not recorded as an experiment');
      expect((await listExperiments(root)).records).toHaveLength(before);
    } finally {
      rmSync(join(root, 'models/odd name'), { recursive: true, force: true });
      rmSync(join(root, 'dist/cairn/models/odd name'), { recursive: true, force: true });
    }
  });

  it('artifact restore verifies each file: a corrupt model object is refused, then fetched from the data remote', async () => {
    const pointerFile = join(root, 'dist/cairn/models/m/train/model.cairn');
    const pointer = await readPointer(pointerFile);
    const cacheDir = join(root, '.cairn', 'cache');
    const remoteDir = mkdtempSync(join(tmpdir(), 'cairn-pipeline-remote-'));
    await pushObjects(cacheDir, await referencedObjects(root, [pointer]), new LocalRemote(remoteDir));
    const manifest = await readManifestObject(cacheDir, pointer.hash);
    const member = manifest.find((entry) => entry.path === 'cairn-model.json')!;
    const object = workspaceObjectPath(root, member.hash);
    chmodSync(object, 0o644);
    const bytes = readFileSync(object);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(object, bytes);
    const modelDir = join(root, 'dist/cairn/models/m/model');
    rmSync(modelDir, { recursive: true });
    const trainable = resolveTrainable(await discoverProjects(root), 'm');

    await expect(ensureArtifact(root, trainable)).rejects.toMatchObject({ code: 'STORE_OBJECT_CORRUPT' });
    expect(existsSync(modelDir)).toBe(false);
    expect(existsSync(object)).toBe(false);

    const config = await loadConfig(root);
    await saveConfig(root, { ...config, remotes: { origin: { url: remoteDir } }, defaultRemote: 'origin' });
    try {
      await ensureArtifact(root, trainable);
      expect(JSON.parse(readFileSync(join(modelDir, 'cairn-model.json'), 'utf8'))).toMatchObject({
        label: 'label',
      });
      expect(statSync(join(modelDir, 'cairn-model.json')).nlink).toBe(1);
    } finally {
      await saveConfig(root, config);
      rmSync(remoteDir, { recursive: true, force: true });
    }
  });

  it('evaluate scores the held-out split: a majority-class model is exactly as accurate as the majority share', async () => {
    const committed = await evaluate({ workspaceRoot: root, project: 'm', log: () => undefined });
    const { test } = await prepareData(root, 'm');
    const majorityShare = test.filter((row) => row.label === 'a').length / test.length;
    expect(committed.metrics.accuracy).toBeCloseTo(majorityShare, 12);
    expect(committed.metrics.recall_macro).toBeCloseTo(0.5, 12);
    expect(committed.split.testRows).toBe(20);
    expect(JSON.parse(readFileSync(join(root, 'models/m/metrics.json'), 'utf8'))).toEqual(committed);
    expect(readFileSync(join(root, 'dist/cairn/models/m/evaluate/report.md'), 'utf8')).toContain(
      '| accuracy | 0.7000 |',
    );
  });

  it('evaluate --cv runs stratified k-fold cross-validation', async () => {
    const committed = await evaluate({ workspaceRoot: root, project: 'm', cv: 5, log: () => undefined });
    expect(committed.cv?.folds).toBe(5);
    expect(committed.cv?.metrics.accuracy?.mean).toBeCloseTo(0.7, 12);
    expect(committed.cv?.metrics.accuracy?.std).toBeCloseTo(0, 12);
  });

  it('compare passes against the committed baseline and fails when a gate is broken', async () => {
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'baseline');
    const passed = await compare({
      workspaceRoot: root,
      project: 'm',
      baseRef: 'main',
      log: () => undefined,
    });
    expect(passed.passed).toBe(true);
    write(root, 'models/m/model.json', JSON.stringify({ ...model, gates: { accuracy: { min: 0.9 } } }));
    await expect(
      compare({ workspaceRoot: root, project: 'm', baseRef: 'main', log: () => undefined }),
    ).rejects.toMatchObject({
      code: 'GATE_FAILED',
      exitCode: 1,
    });
    const markdown = readFileSync(join(root, 'dist/cairn/models/m/compare/report.md'), 'utf8');
    expect(markdown).toContain('accuracy');
    // the report embeds the evaluation plots, rendered to SVG beside it
    expect(markdown).toContain(
      '![confusion matrix](confusion.svg) ![ROC](roc.svg) ![precision–recall](pr.svg)',
    );
    for (const plot of ['confusion.svg', 'roc.svg', 'pr.svg']) {
      const svg = readFileSync(join(root, 'dist/cairn/models/m/compare', plot), 'utf8');
      expect(svg, plot).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.match(/<path|<rect|<line/g)?.length ?? 0, plot).toBeGreaterThan(3);
    }
    write(root, 'models/m/model.json', JSON.stringify(model));
  });

  it('compare of a project and of two files reject the same bad metrics file with the same code', async () => {
    const committed = readFileSync(join(root, 'models/m/metrics.json'), 'utf8');
    try {
      write(root, 'models/m/metrics.json', '{ "metrics": ');
      await expect(
        compare({ workspaceRoot: root, project: 'm', baseRef: 'main', log: () => undefined }),
      ).rejects.toMatchObject({ code: 'COMPARE_INVALID_JSON', data: { file: 'models/m/metrics.json' } });
      const current = join(root, 'models/m/metrics.json');
      await expect(compareFiles({ current, rules: join(root, 'models/m/model.json') })).rejects.toMatchObject(
        {
          code: 'COMPARE_INVALID_JSON',
          data: { file: current },
        },
      );
      write(root, 'models/m/metrics.json', '[1, 2]');
      await expect(
        compare({ workspaceRoot: root, project: 'm', baseRef: 'main', log: () => undefined }),
      ).rejects.toMatchObject({ code: 'COMPARE_INVALID_METRICS' });
      await expect(compareFiles({ current, rules: join(root, 'models/m/model.json') })).rejects.toMatchObject(
        {
          code: 'COMPARE_INVALID_METRICS',
        },
      );
    } finally {
      write(root, 'models/m/metrics.json', committed);
    }
    // Relative paths resolve against `cwd`, the repository the baseline is read from without a checkout.
    const { report } = await compareFiles({
      current: 'models/m/metrics.json',
      baseRef: 'main',
      rules: 'models/m/model.json',
      cwd: root,
    });
    const projectReport = await compare({
      workspaceRoot: root,
      project: 'm',
      baseRef: 'main',
      log: () => undefined,
    });
    expect(report).toEqual(projectReport);
    expect(report.rows.find((row) => row.metric === 'accuracy')).toMatchObject({ passed: true });
  });

  it('monitor and serve a trained project: the bundle under its outputs, a server named after the project', async () => {
    const monitored = await monitorProject({ workspaceRoot: root, project: 'm' });
    expect(monitored).toMatchObject({ project: 'm', dashboardUid: 'cairn-m' });
    expect(
      JSON.parse(readFileSync(join(root, 'dist/cairn/models/m/monitor/dashboard.json'), 'utf8')).uid,
    ).toBe('cairn-m');
    const server = await serveProject({ workspaceRoot: root, project: 'm', port: 0 });
    try {
      expect(server.modelName).toBe('m');
      const response = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rows: [{ x: 1, y: 2 }] }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { predictions: { label: string }[] }).predictions[0]!.label).toBe(
        'a',
      );
      // The first dataset is the drift reference: its features are scored on /metrics.
      expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('feature="x"');
    } finally {
      await server.close();
    }
  });

  it('drift: the training data itself does not drift; shifted data fails, or records a retrain trigger', async () => {
    write(root, 'incoming/same.csv', csv());
    const same = await drift({
      workspaceRoot: root,
      project: 'm',
      current: join(root, 'incoming/same.csv'),
      log: () => undefined,
    });
    expect(same.drift).toBe(false);
    write(root, 'incoming/shifted.csv', csv(40));
    await expect(
      drift({
        workspaceRoot: root,
        project: 'm',
        current: join(root, 'incoming/shifted.csv'),
        log: () => undefined,
      }),
    ).rejects.toMatchObject({
      code: 'DRIFT_DETECTED',
    });
    expect(readFileSync(join(root, 'dist/cairn/models/m/drift/report.html'), 'utf8')).toContain('<html');
    const report = await drift({
      workspaceRoot: root,
      project: 'm',
      current: join(root, 'incoming/shifted.csv'),
      onDrift: 'retrain',
      log: () => undefined,
    });
    expect(report.columns.x?.drift).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'models/m', RETRAIN_TRIGGER), 'utf8'))).toMatchObject({
      reason: 'drift',
      drifted: expect.arrayContaining(['x']),
    });
  });

  it('a label column missing from the data is a clear error naming the data file', async () => {
    write(root, 'models/m/model.json', JSON.stringify({ ...model, label: 'kind' }));
    await expect(prepareData(root, 'm')).rejects.toMatchObject({
      code: 'DATASET_UNREADABLE',
      message: expect.stringContaining('data/points/points.csv: has no label column "kind"'),
    });
    write(root, 'models/m/model.json', JSON.stringify(model));
  });

  it('a training program missing from the machine fails before training, naming it', async () => {
    write(
      root,
      'models/m/model.json',
      JSON.stringify({ ...model, train: { command: '/nonexistent/python3 train.py' } }),
    );
    try {
      await expect(train({ workspaceRoot: root, project: 'm', log: () => undefined })).rejects.toMatchObject({
        code: 'TRAIN_COMMAND_FAILED',
        data: { exitCode: 127 },
        hint: expect.stringContaining('no program `/nonexistent/python3` on this machine'),
      });
    } finally {
      write(root, 'models/m/model.json', JSON.stringify(model));
    }
  });
});
