import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashDirectory } from '@cairn/hash';
import {
  loadKey,
  readAudit,
  readOciManifestDigest,
  registerVersion,
  verifyManifestSignature,
} from '@cairn/registry';
import { serializePointer, storePath } from '@cairn/store';
import { versionOf } from '../test/registry-fixtures';
import { packageModel } from './index';

const repoRoot = process.env.CAIRN_REPO_ROOT!;
const PINNED = `node:20-bookworm-slim@sha256:${'0f'.repeat(32)}`;
let ws: string;
let artifactHash: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  ws = fs.mkdtempSync(join(os.tmpdir(), 'cairn-package-ws-'));
  // The workspace's installed Cairn is this repository's (built) packages.
  fs.symlinkSync(join(repoRoot, 'node_modules'), join(ws, 'node_modules'));
  fs.mkdirSync(join(ws, '.cairn'));
  fs.mkdirSync(join(ws, 'datasets/iris'), { recursive: true });
  fs.copyFileSync(
    join(repoRoot, 'examples/datasets/iris/dataset.json'),
    join(ws, 'datasets/iris/dataset.json'),
  );
  fs.mkdirSync(join(ws, 'models/iris'), { recursive: true });
  fs.writeFileSync(
    join(ws, 'models/iris/model.json'),
    JSON.stringify({
      datasets: ['iris'],
      label: 'species',
      task: 'multiclass',
      train: { command: 'node train.mjs' },
    }),
  );
  const artifact = join(ws, 'dist/cairn/models/iris/model');
  fs.mkdirSync(artifact, { recursive: true });
  fs.writeFileSync(
    join(artifact, 'predict.cjs'),
    'module.exports = { load: () => ({ predict: (rows) => rows.map((r) => ({ label: r.petal_length > 2.5 ? "versicolor" : "setosa" })) }) };\n',
  );
  fs.writeFileSync(
    join(artifact, 'cairn-model.json'),
    JSON.stringify({
      runtime: 'node',
      entry: 'predict.cjs',
      task: 'multiclass',
      label: 'species',
      labels: ['setosa', 'versicolor'],
      features: [{ name: 'petal_length', type: 'number' }],
    }),
  );
  const hashed = await hashDirectory(artifact);
  artifactHash = hashed.hash;
  fs.mkdirSync(join(ws, 'dist/cairn/models/iris/train'), { recursive: true });
  fs.writeFileSync(
    join(ws, 'dist/cairn/models/iris/train/model.cairn'),
    serializePointer({
      version: 1,
      algorithm: 'blake3',
      hash: hashed.hash,
      size: hashed.size,
      nfiles: hashed.nfiles,
      path: 'model',
    }),
  );
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(ws, 'signing.pem')]);
  execFileSync('openssl', [
    'pkey',
    '-in',
    join(ws, 'signing.pem'),
    '-pubout',
    '-out',
    join(ws, 'signing.pub.pem'),
  ]);
});
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

describe('packageModel', () => {
  it('builds a signed image whose unpacked server verifies the artifact and serves it', async () => {
    const outDir = join(ws, 'dist/cairn/models/iris/package');
    const result = await packageModel(ws, 'iris', {
      outDir,
      baseImage: PINNED,
      signingKeyFile: join(ws, 'signing.pem'),
    });
    expect(result.layers.map((layer) => layer.name)).toEqual(['runtime dependencies', 'server', 'artifact']);
    expect(await readOciManifestDigest(join(outDir, 'image'))).toBe(result.manifestDigest);
    const inspected = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci:${join(outDir, 'image')}:iris`], { encoding: 'utf8' }),
    );
    expect(inspected.Digest).toBe(result.manifestDigest);
    verifyManifestSignature(
      result.signature!,
      result.manifestDigest,
      loadKey('public', { file: join(ws, 'signing.pub.pem') }),
    );
    expect(fs.readFileSync(join(outDir, 'Dockerfile'), 'utf8')).toContain(`--expect-hash","${artifactHash}"`);

    const bundle = join(ws, 'bundle');
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${join(outDir, 'image')}:iris`, bundle], {
      stdio: 'pipe',
    });
    const rootfs = join(bundle, 'rootfs');
    const [node, server, , ...rest] = JSON.parse(fs.readFileSync(join(bundle, 'config.json'), 'utf8')).process
      .args as string[];
    expect(node).toBe('node');
    const port = await freePort();
    const args = rest.map((arg) => (arg === '0.0.0.0' ? '127.0.0.1' : arg === '8080' ? String(port) : arg));
    // The image's own server, run from the unpacked root file system (no container runtime here).
    const child = spawn(process.execPath, [join(rootfs, server!), join(rootfs, 'opt/model'), ...args], {
      stdio: 'pipe',
    });
    try {
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve());
        child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
      await ready;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const response = await fetch(`http://127.0.0.1:${port}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rows: [{ petal_length: 1.4 }, { petal_length: 4.5 }] }),
      });
      const body = (await response.json()) as { predictions: Array<{ label: string }> };
      expect(body.predictions.map((p) => p.label)).toEqual(['setosa', 'versicolor']);
    } finally {
      child.kill();
    }
    // The same server refuses an artifact that no longer matches the hash baked into the entrypoint.
    fs.chmodSync(join(rootfs, 'opt/model/predict.cjs'), 0o644);
    fs.appendFileSync(join(rootfs, 'opt/model/predict.cjs'), '// edited\n');
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const run = spawn(process.execPath, [join(rootfs, server!), join(rootfs, 'opt/model'), ...args], {
        stdio: 'pipe',
      });
      let stderr = '';
      run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      run.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(refused.stderr).toContain('SERVE_ARTIFACT_UNVERIFIED');
    expect(refused.code).toBe(2);
  });

  it('packages a registry version, not the current artifact, and audits it', async () => {
    execFileSync('git', ['init', '-q', '-b', 'main', ws]);
    // Version 1 is an older model, kept only in the store; the project's current artifact is another.
    const older = join(ws, 'scratch-older');
    fs.cpSync(join(ws, 'dist/cairn/models/iris/model'), older, { recursive: true });
    fs.writeFileSync(
      join(older, 'predict.cjs'),
      fs.readFileSync(join(older, 'predict.cjs'), 'utf8') + '// v1\n',
    );
    const stored = await storePath(ws, older);
    fs.rmSync(older, { recursive: true });
    expect(stored.hash).not.toBe(artifactHash);
    await registerVersion(ws, 'iris', versionOf(stored), { actor: 'ana' });
    const outDir = join(ws, 'p-registered');
    const result = await packageModel(ws, 'iris', {
      outDir,
      baseImage: PINNED,
      reference: 'iris@1',
      why: 'rollback image',
    });
    expect(result).toMatchObject({ version: 1, artifactHash: stored.hash });
    expect(fs.readFileSync(join(outDir, 'Dockerfile'), 'utf8')).toContain(`--expect-hash","${stored.hash}"`);
    const audit = await readAudit(ws);
    expect(audit.at(-1)).toMatchObject({ kind: 'model.package', subject: 'iris@1', why: 'rollback image' });
  });

  it('refuses an unpinned base and an artifact that differs from its pointer', async () => {
    await expect(
      packageModel(ws, 'iris', { outDir: join(ws, 'p1'), baseImage: 'node:20' }),
    ).rejects.toMatchObject({
      code: 'PACKAGE_BASE_NOT_PINNED',
    });
    const file = join(ws, 'dist/cairn/models/iris/model/predict.cjs');
    const original = fs.readFileSync(file);
    fs.appendFileSync(file, '// tampered\n');
    try {
      await expect(
        packageModel(ws, 'iris', { outDir: join(ws, 'p2'), baseImage: PINNED }),
      ).rejects.toMatchObject({
        code: 'SERVE_ARTIFACT_UNVERIFIED',
      });
      expect(fs.existsSync(join(ws, 'p2'))).toBe(false);
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});
