import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { waitUntil } from '../../../tools/test-support/src';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  gitIn as git,
  pointsCsv as csv,
  POINTS_MODEL as model,
  writePointsWorkspace,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
import { resolveThresholds } from '@cairn/monitoring';
import { readAudit, resolveModel, setAlias, verifyAudit } from '@cairn/registry';
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
  deployProject,
  discoverProjects,
  registerProject,
  registryDelivery,
  requestMasker,
  serveAliases,
  serveProjectAliases,
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
  afterAll(() => rmSync(root, { recursive: true, force: true }));

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
    expect(record.git).toEqual({ commit: expect.stringMatching(/^[0-9a-f]{40}$/) as string });
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

  it('a run trained on uncommitted model code is recorded as dirty (its commit alone would not reproduce it)', async () => {
    const trainer = readFileSync(join(root, 'models/m/train.cjs'), 'utf8');
    write(root, 'models/m/train.cjs', `${trainer}// an edit not yet committed\n`);
    try {
      const record = await train({ workspaceRoot: root, project: 'm', log: () => undefined });
      expect(record.git).toMatchObject({ dirty: true });
    } finally {
      write(root, 'models/m/train.cjs', trainer);
    }
    const clean = await train({ workspaceRoot: root, project: 'm', log: () => undefined });
    expect(clean.git).not.toHaveProperty('dirty');
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

  it('deploy writes the manifests of the trained version, labelled with the version serve exports', async () => {
    const result = await deployProject({ workspaceRoot: root, project: 'm', terraform: true });
    const server = await serveProject({ workspaceRoot: root, project: 'm', port: 0 });
    await server.close();
    expect(result.version).toBe(server.version);
    expect(result.files.map((f) => f.slice(root.length + 1))).toEqual([
      'dist/cairn/models/m/deploy/kubernetes.yaml',
      'dist/cairn/models/m/deploy/main.tf.json',
    ]);
    const yaml = readFileSync(result.files[0]!, 'utf8');
    expect(yaml).toContain(`value: ${server.version}`);
    expect(yaml).toContain('kind: AnalysisTemplate');
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
    // The target takes any Evidently test, a threshold and forced-categorical features; the HTML shows the rule.
    const chosen = await drift({
      workspaceRoot: root,
      project: 'm',
      current: join(root, 'incoming/shifted.csv'),
      onDrift: 'retrain',
      test: 'cramer_von_mises',
      threshold: 0.01,
      log: () => undefined,
    });
    expect(chosen.columns.x).toMatchObject({ test: 'cramer_von_mises', threshold: 0.01, drift: true });
    expect(readFileSync(join(root, 'dist/cairn/models/m/drift/report.html'), 'utf8')).toContain(
      'p &lt;= 0.0100',
    );
    const categorical = await drift({
      workspaceRoot: root,
      project: 'm',
      current: join(root, 'incoming/same.csv'),
      categorical: ['y'],
      log: () => undefined,
    });
    expect(categorical.columns.y?.test).toBe('chisquare');
  });

  it('the feedback loop: logged shifted traffic is drift; wrong delayed labels write the retrain trigger', async () => {
    const trigger = join(root, 'models/m', RETRAIN_TRIGGER);
    rmSync(trigger, { force: true });
    const server = await serveProject({ workspaceRoot: root, project: 'm', port: 0, log: {} });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const response = await fetch(`${server.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ x: (i % 10) + 40, y: 1 }),
        });
        ids.push(response.headers.get('x-request-id')!);
        await response.json();
      }
      // The majority-class model answers "a"; the true labels say "b": live accuracy 0 against the evaluated one.
      const feedback = await fetch(`${server.url}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ids.map((id) => ({ request_id: id, label: 'b' }))),
      });
      expect(await feedback.json()).toEqual({ accepted: 100, duplicates: 0 });
      await waitUntil(() => existsSync(trigger));
      expect(JSON.parse(readFileSync(trigger, 'utf8'))).toMatchObject({
        reason: 'live-accuracy',
        accuracy: 0,
        labelled: 100,
        version: server.version,
      });
    } finally {
      await server.close();
    }
    rmSync(trigger);
    const report = await drift({
      workspaceRoot: root,
      project: 'm',
      current: join(root, 'dist/cairn/models/m/serve/requests'),
      window: 100,
      onDrift: 'retrain',
      log: () => undefined,
    });
    expect(report.columns.x?.drift).toBe(true);
    expect(JSON.parse(readFileSync(trigger, 'utf8'))).toMatchObject({ reason: 'drift', window: 100 });
    const mask = await requestMasker({ columns: ['y'] });
    expect(mask!({ x: 1, y: 'ada@example.com' })).toEqual({ x: 1, y: '********' });
  });

  it('serves registry aliases side by side, follows alias moves, and promotes a canary with an audit entry', async () => {
    const artifact = await ensureArtifact(root, resolveTrainable(await discoverProjects(root), 'm'));
    // The registry as an in-memory map: @cairn/registry binds the same interface.
    const holders = new Map([
      ['champion', 'v1'],
      ['challenger', 'v2'],
    ]);
    const audit: unknown[] = [];
    const registry = {
      async resolveAlias(alias: string) {
        const version = holders.get(alias);
        return version ? { version, artifactDir: artifact.dir } : undefined;
      },
      async moveAlias(alias: string, version: string) {
        holders.set(alias, version);
      },
      async audit(entry: unknown) {
        audit.push(entry);
      },
    };
    const served = await serveAliases({
      registry,
      port: 0,
      traffic: { mode: 'canary', weight: 50 },
      canary: {
        thresholds: { error_rate: 0.01, latency_p99_ms: 60_000, prediction_shift: 0.15, accuracy_drop: 0.05 },
        minRequests: 20,
      },
    });
    try {
      const versions = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const response = await fetch(`${served.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ x: i, y: 1 }),
        });
        await response.json();
        const key = `${response.headers.get('x-cairn-version')}@${response.headers.get('x-cairn-alias')}`;
        versions.set(key, (versions.get(key) ?? 0) + 1);
      }
      expect(Object.fromEntries(versions)).toEqual({ 'v1@champion': 20, 'v2@challenger': 20 });
      expect((await served.analyze())?.decision).toBe('promote');
      expect(holders.get('champion')).toBe('v2');
      expect(audit).toEqual([
        expect.objectContaining({ action: 'canary-promote', champion: 'v1', challenger: 'v2' }),
      ]);
      // The registry moves the challenger alias elsewhere: sync follows without a restart.
      holders.set('challenger', 'v3');
      expect(await served.sync()).toEqual(['challenger']);
      expect(served.server.traffic.lanes()).toMatchObject({
        champion: { version: 'v2', alias: 'champion' },
        challenger: { version: 'v3', alias: 'challenger' },
      });
      holders.delete('challenger');
      expect(await served.sync()).toEqual(['challenger']);
      expect(served.server.traffic.lanes().challenger).toBeUndefined();
    } finally {
      await served.close();
    }
  });

  it('the whole loop on the registry: retrain on new data, canary beside the old version, promoted on live labels, audited', async () => {
    const trainable = resolveTrainable(await discoverProjects(root), 'm');
    const before = await ensureArtifact(root, trainable);
    const first = await registerProject(root, 'm', { actor: 'ci' });
    await setAlias(root, { model: 'm', alias: 'champion', version: first.version.version, why: 'first' });
    // The world moved: "b" is now the majority. Track the new data, retrain, register the new version as challenger.
    const flipped = csv().replace(/,a$/gm, ',t').replace(/,b$/gm, ',a').replace(/,t$/gm, ',b');
    write(root, 'data/points/points.csv', flipped);
    await add(root, ['data/points/points.csv']);
    await train({ workspaceRoot: root, project: 'm', log: () => undefined });
    const after = await ensureArtifact(root, trainable);
    expect(after.hash).not.toBe(before.hash);
    const second = await registerProject(root, 'm', { actor: 'ci' });
    await setAlias(root, {
      model: 'm',
      alias: 'challenger',
      version: second.version.version,
      why: 'retrained',
    });

    const registry = registryDelivery(root, 'm', { actor: 'canary' });
    const served = await serveAliases({
      registry,
      port: 0,
      traffic: { mode: 'canary', weight: 50 },
      canary: {
        thresholds: { ...resolveThresholds(trainable.config.monitoring), latency_p99_ms: 60_000 },
        minRequests: 50,
        minLabels: 50,
      },
    });
    try {
      expect(served.server.traffic.lanes()).toMatchObject({
        champion: { version: before.hash.slice(0, 12), alias: 'champion' },
        challenger: { version: after.hash.slice(0, 12), alias: 'challenger' },
      });
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        const response = await fetch(`${served.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ x: i % 10, y: 1 }),
        });
        ids.push(response.headers.get('x-request-id')!);
        await response.json();
      }
      // Delayed labels: the truth is "b" now; the old version answers "a", the retrained one "b".
      await fetch(`${served.url}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ids.map((id) => ({ request_id: id, label: 'b' }))),
      });
      const verdict = await served.analyze();
      expect(verdict?.decision).toBe('promote');
      expect(verdict?.checks.find((c) => c.name === 'live-accuracy')).toMatchObject({ value: 1, pass: true });
      expect((await resolveModel(root, 'm#champion')).version).toBe(second.version.version);
      const audit = await readAudit(root);
      expect(audit.at(-1)).toMatchObject({
        kind: 'delivery.canary-promote',
        subject: 'm',
        who: 'canary',
        what: { champion: first.version.version, challenger: second.version.version },
      });
      expect((await verifyAudit(root)).ok).toBe(true);
      expect(served.server.traffic.lanes().champion?.version).toBe(after.hash.slice(0, 12));
    } finally {
      await served.close();
      await registry.dispose();
      write(root, 'data/points/points.csv', csv());
      await add(root, ['data/points/points.csv']);
    }

    // `cairn task serve --aliases`: after the promotion both aliases name version 2; one lane serves.
    const again = await serveProjectAliases({ workspaceRoot: root, project: 'm', port: 0, interval: 0 });
    try {
      expect(Object.keys(again.server.traffic.lanes())).toEqual(['champion']);
      await setAlias(root, { model: 'm', alias: 'challenger', version: first.version.version, why: 'retry' });
      expect(await again.sync()).toEqual(['challenger']);
      expect(again.server.traffic.lanes().challenger).toMatchObject({
        version: before.hash.slice(0, 12),
        alias: 'challenger',
      });
    } finally {
      await again.close();
    }
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
