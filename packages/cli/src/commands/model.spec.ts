import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildOciLayout, signManifestDigest } from '@cairn/registry';
import { runCli } from '../../test/run-cli';

let dir: string;
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
const cairn = (...args: string[]) => runCli(args, { cwd: dir });
const repoRoot = process.env.CAIRN_REPO_ROOT!;

/** A finished train run of the iris model as the train target leaves it (run.json is an Nx output). */
function writeRun(n: number): void {
  const record = {
    project: 'iris',
    kind: 'model',
    startedAt: `2026-05-0${n}T10:00:00.000Z`,
    durationMs: 100,
    command: 'node train.mjs',
    params: { nEstimators: 10 * n },
    seed: 42,
    split: { test: 0.2, trainRows: 120, testRows: 30 },
    inputs: { iris: { pointer: 'datasets/iris/iris.csv.cairn', hash: 'ab'.repeat(32), size: 4550 } },
    artifact: { hash: `${String(n).repeat(64)}.dir`, size: 900 + n, nfiles: 2 },
    metrics: { accuracy: 0.9 + n / 100 },
    git: { commit: git('rev-parse', 'HEAD') },
    toolkitVersion: '0.1.0',
    host: 'test',
  };
  const file = join(dir, 'dist/cairn/models/iris/train/run.json');
  fs.mkdirSync(join(file, '..'), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record));
}

beforeAll(() => {
  // Who acts comes from git config here, not from a CI runner's GITHUB_ACTOR.
  vi.stubEnv('CAIRN_ACTOR', '');
  dir = fs.mkdtempSync(join(os.tmpdir(), 'cairn-cli-model-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Ana');
  git('config', 'user.email', 'ana@example.org');
  fs.mkdirSync(join(dir, 'datasets/iris'), { recursive: true });
  fs.copyFileSync(
    join(repoRoot, 'examples/datasets/iris/dataset.json'),
    join(dir, 'datasets/iris/dataset.json'),
  );
  fs.mkdirSync(join(dir, 'models/iris'), { recursive: true });
  fs.writeFileSync(
    join(dir, 'models/iris/model.json'),
    JSON.stringify({
      datasets: ['iris'],
      label: 'species',
      task: 'multiclass',
      train: { command: 'node train.mjs' },
    }),
  );
  fs.writeFileSync(join(dir, '.gitignore'), 'dist/\n');
  git('add', '.');
  git('commit', '-qm', 'workspace');
});
afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cairn model and cairn audit', () => {
  it('registers runs with lineage and signature, moves aliases, answers history at a time', async () => {
    expect((await cairn('model', 'register', 'iris')).code).toBe(2);
    for (const n of [1, 2]) {
      writeRun(n);
      const result = await cairn('model', 'register', 'iris', '--json');
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        version: n,
        created: true,
        registeredBy: 'Ana <ana@example.org>',
      });
    }
    const shown = JSON.parse((await cairn('model', 'show', 'iris@1', '--json')).stdout);
    expect(shown).toMatchObject({
      params: { nEstimators: 10 },
      code: { commit: git('rev-parse', 'HEAD') },
      run: { id: '2026-05-01T10:00:00.000Z', project: 'iris' },
      signature: {
        inputs: [
          { name: 'sepal_length', type: 'number' },
          { name: 'sepal_width', type: 'number' },
          { name: 'petal_length', type: 'number' },
          { name: 'petal_width', type: 'number' },
        ],
        outputs: { name: 'species', labels: ['setosa', 'versicolor', 'virginica'] },
      },
    });
    expect((await cairn('model', 'alias', 'iris', 'champion', '1', '--why', 'first')).code).toBe(0);
    const [, , firstAlias] = JSON.parse((await cairn('audit', 'log', '--json')).stdout) as Array<{
      at: string;
    }>;
    expect((await cairn('model', 'promote', 'iris@2', '--expect', '1', '--why', 'gate passed')).code).toBe(0);
    const conflict = await cairn('model', 'promote', 'iris@1', '--expect', '1');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('REGISTRY_ALIAS_CONFLICT');
    const history = JSON.parse(
      (await cairn('model', 'history', 'iris', '--at', firstAlias!.at, '--json')).stdout,
    );
    expect(history.holders.champion.version).toBe(1);
    expect(history.events).toHaveLength(1);
    expect((await cairn('model', 'rollback', 'iris', 'champion', '--why', 'latency')).code).toBe(0);
    expect(JSON.parse((await cairn('model', 'list', '--json')).stdout)).toEqual([
      { model: 'iris', versions: 2, latest: 2, aliases: { champion: 1 } },
    ]);
    expect((await cairn('model', 'history', 'iris', '--at', 'yesterday')).code).toBe(2);
    expect((await cairn('model', 'show', 'iris#nope')).code).toBe(2);
  });

  it('audit log lists every action and verify exits 1 naming the first bad entry', async () => {
    const log = JSON.parse((await cairn('audit', 'log', '--json')).stdout) as Array<{ kind: string }>;
    expect(log.map((entry) => entry.kind)).toEqual([
      'model.register',
      'model.register',
      'alias.set',
      'alias.set',
      'alias.rollback',
    ]);
    expect((await cairn('audit', 'verify')).code).toBe(0);
    const text = git('show', 'refs/cairn/registry:audit.jsonl');
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {
      cwd: dir,
      input: `${text.replace('"why":"gate passed"', '"why":"routine"')}\n`,
      encoding: 'utf8',
    }).trim();
    const tree = execFileSync('git', ['mktree'], {
      cwd: dir,
      input:
        git('ls-tree', 'refs/cairn/registry').replace(/[0-9a-f]{40}(\taudit\.jsonl)/, `${blob}$1`) + '\n',
      encoding: 'utf8',
    }).trim();
    git(
      'update-ref',
      'refs/cairn/registry',
      git('commit-tree', tree, '-p', 'refs/cairn/registry', '-m', 'x'),
    );
    const verdict = await cairn('audit', 'verify');
    expect(verdict.code).toBe(1);
    expect(verdict.stderr).toMatch(/entry 4 edited/);
  });

  it('model package --from takes a registry version: an unknown one is REGISTRY_VERSION_NOT_FOUND', async () => {
    const result = await cairn(
      'model',
      'package',
      'iris',
      '--from',
      'iris@7',
      '--base',
      `node:20@sha256:${'1'.repeat(64)}`,
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('REGISTRY_VERSION_NOT_FOUND');
    expect(result.stderr).toContain('iris@7');
  });

  it('model verify checks the layout and the ed25519 signature over its manifest digest', async () => {
    const pkg = join(dir, 'pkg');
    fs.mkdirSync(join(pkg, 'files'), { recursive: true });
    fs.writeFileSync(join(pkg, 'files', 'model.json'), '{}\n');
    const built = await buildOciLayout({
      outDir: join(pkg, 'image'),
      tag: 'iris-1',
      baseImage: `node:20@sha256:${'1'.repeat(64)}`,
      layers: [{ name: 'artifact', dir: join(pkg, 'files'), target: '/opt/model' }],
      runtime: { entrypoint: ['node'], user: '10001:10001' },
    });
    const pem = (kind: 'signer' | 'other') => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      fs.writeFileSync(join(dir, `${kind}.pub.pem`), publicKey.export({ type: 'spki', format: 'pem' }));
      return privateKey;
    };
    const signer = pem('signer');
    pem('other');
    expect((await cairn('model', 'verify', pkg, '--key', 'signer.pub.pem')).code).toBe(1);
    fs.writeFileSync(
      join(pkg, 'signature.json'),
      JSON.stringify(signManifestDigest(built.manifestDigest, signer)),
    );
    const ok = await cairn('model', 'verify', pkg, '--key', 'signer.pub.pem', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, manifestDigest: built.manifestDigest });
    const other = await cairn('model', 'verify', pkg, '--key', 'other.pub.pem');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('PACKAGE_SIGNATURE_INVALID');
    fs.appendFileSync(join(pkg, 'image', 'blobs', 'sha256', built.layers[0]!.digest.slice(7)), 'x');
    const corrupt = await cairn('model', 'verify', pkg, '--key', 'signer.pub.pem');
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('PACKAGE_LAYOUT_INVALID');
  });
});
