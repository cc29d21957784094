import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace, type CommandResult } from './workspace';

interface VersionJson {
  model: string;
  version: number;
  artifact: { hash: string };
  run: { project: string };
}

interface AuditEntryJson {
  seq: number;
  kind: string;
  subject: string;
}

interface HistoryJson {
  holders: Record<string, { version: number }>;
  events: Array<{ alias: string; version: number; previous: number | null; action: string }>;
}

/** A base image pinned by digest, as the package target requires; packaging only records it (no registry access). */
const BASE_IMAGE = `node:20-bookworm-slim@sha256:${'0123456789abcdef'.repeat(4)}`;

describe('registry targets register, promote and package (real Nx CLI, real git repo)', () => {
  let ws: TestWorkspace;
  const nx = (args: string[], env: NodeJS.ProcessEnv = {}): CommandResult =>
    ws.run(ws.path('node_modules', '.bin', 'nx'), [...args, '--outputStyle=static'], env);
  const json = <T>(...args: string[]): T => JSON.parse(ws.cairn(...args, '--json').stdout) as T;
  const trainedHash = () =>
    (JSON.parse(ws.read('dist/cairn/models/m/train/model.cairn')) as { hash: string }).hash;

  beforeAll(() => {
    ensureBuilt();
    ws = new TestWorkspace('cairn-e2e-registry-');
    addDataset(ws, 'alpha', datasetCsv(30, 1));
    addModel(ws, 'm', { datasets: ['alpha'] });
    ws.cairn('add', 'datasets/alpha/alpha.csv');
    ws.commit('dataset and model');
  });
  afterAll(() => ws?.dispose());

  it('promote runs the whole chain, registers version 1 of the trained artifact and moves champion to it', () => {
    const run = nx(['run', 'm:promote']);
    expect(run.code, run.output).toBe(0);
    expect(TestWorkspace.tasks(run.output).executed).toEqual([
      'alpha:validate',
      'm:compare',
      'm:evaluate',
      'm:promote',
      'm:register',
      'm:train',
    ]);

    const latest = json<VersionJson>('model', 'show', 'm');
    expect(latest).toMatchObject({ model: 'm', version: 1, run: { project: 'm' } });
    expect(latest.artifact.hash).toBe(trainedHash());
    expect(json<VersionJson>('model', 'show', 'm#champion')).toEqual(latest);

    const history = json<HistoryJson>('model', 'history', 'm');
    expect(history.holders).toMatchObject({ champion: { version: 1 } });
    expect(history.events).toMatchObject([{ alias: 'champion', version: 1, previous: null, action: 'set' }]);
    const audit = json<AuditEntryJson[]>('audit', 'log');
    expect(audit.map(({ seq, kind, subject }) => ({ seq, kind, subject }))).toEqual([
      { seq: 1, kind: 'model.register', subject: 'm@1' },
      { seq: 2, kind: 'alias.set', subject: 'm#champion' },
    ]);
    ws.cairn('audit', 'verify');
  });

  it('a failing compare gate stops promote: non-zero exit, champion stays where it was', () => {
    // Accuracy is at most 1: no model passes this gate.
    const config = JSON.parse(ws.read('models/m/model.json')) as Record<string, unknown>;
    ws.write(
      'models/m/model.json',
      JSON.stringify({ ...config, gates: { accuracy: { min: 1.01 } } }, null, 2),
    );
    ws.commit('an impossible gate');

    const run = nx(['run', 'm:promote']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('GATE_FAILED');
    // register waits for train only, so the retrained model (model.json is a train input) is still
    // recorded as version 2; the alias move is what the gate guards.
    expect(TestWorkspace.tasks(run.output).executed).toEqual([
      'm:compare',
      'm:evaluate',
      'm:register',
      'm:train',
    ]);
    expect(json<VersionJson>('model', 'show', 'm')).toMatchObject({
      version: 2,
      artifact: { hash: trainedHash() },
    });

    expect(json<VersionJson>('model', 'show', 'm#champion').version).toBe(1);
    const history = json<HistoryJson>('model', 'history', 'm');
    expect(history.holders).toMatchObject({ champion: { version: 1 } });
    expect(history.events).toHaveLength(1);
    expect(
      json<AuditEntryJson[]>('audit', 'log').filter((entry) => entry.kind.startsWith('alias.')),
    ).toHaveLength(1);
  });

  it('package writes an OCI layout, is a cache hit on rerun, and a signing key makes it a miss that signs', () => {
    const env = { CAIRN_BASE_IMAGE: BASE_IMAGE };
    const first = nx(['run', 'm:package'], env);
    expect(first.code, first.output).toBe(0);
    expect(TestWorkspace.tasks(first.output).executed).toContain('m:package');
    const digest = /manifest (sha256:[0-9a-f]{64})/.exec(first.output)?.[1];
    expect(digest, first.output).toBeDefined();
    expect(ws.exists('dist/cairn/models/m/package/Dockerfile')).toBe(true);
    expect(ws.exists('dist/cairn/models/m/package/image/oci-layout')).toBe(true);
    expect(ws.exists('dist/cairn/models/m/package/signature.json')).toBe(false);
    const index = JSON.parse(ws.read('dist/cairn/models/m/package/image/index.json')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests.map((manifest) => manifest.digest)).toEqual([digest]);

    const again = nx(['run', 'm:package'], env);
    expect(again.code, again.output).toBe(0);
    expect(TestWorkspace.tasks(again.output).cached).toContain('m:package');
    expect(TestWorkspace.tasks(again.output).executed).toEqual([]);

    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    ws.write('pub.pem', publicKey.export({ type: 'spki', format: 'pem' }));
    const signing = {
      ...env,
      CAIRN_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
    const signed = nx(['run', 'm:package'], signing);
    expect(signed.code, signed.output).toBe(0);
    expect(TestWorkspace.tasks(signed.output).executed).toContain('m:package');
    expect(signed.output).toContain(`signed manifest ${digest}`);
    expect(ws.exists('dist/cairn/models/m/package/signature.json')).toBe(true);
    expect(ws.cairn('model', 'verify', 'dist/cairn/models/m/package', '--key', 'pub.pem').stdout).toContain(
      `ok: ${digest}`,
    );
  });
});
