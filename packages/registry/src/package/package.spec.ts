import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOciLayout,
  loadKey,
  readOciManifestDigest,
  renderDockerfile,
  signManifestDigest,
  verifyManifestSignature,
  type OciBuildOptions,
} from '../index';

let tmp: string;
const PINNED = `node:20-bookworm-slim@sha256:${'ab'.repeat(32)}`;

function write(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(join(file, '..'), { recursive: true });
  fs.writeFileSync(file, text, { mode });
}

function options(outDir: string): OciBuildOptions {
  return {
    outDir,
    tag: 'iris-3',
    baseImage: PINNED,
    layers: [
      { name: 'server', dir: join(tmp, 'server'), target: '/opt/cairn' },
      { name: 'runtime dependencies', dir: join(tmp, 'deps'), target: '/opt/cairn/node_modules' },
      { name: 'artifact', dir: join(tmp, 'model'), target: '/opt/model' },
    ],
    runtime: {
      entrypoint: ['node', '/opt/cairn/bin/cairn.js', 'serve', '/opt/model'],
      user: '10001:10001',
      exposedPorts: ['8080/tcp'],
      labels: { 'org.opencontainers.image.title': 'iris' },
    },
  };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(join(os.tmpdir(), 'cairn-package-'));
  write(join(tmp, 'server/bin/cairn.js'), '#!/usr/bin/env node\nconsole.log("serve")\n', 0o755);
  write(join(tmp, 'deps/ajv/package.json'), '{"name":"ajv"}\n');
  write(join(tmp, 'model/cairn-model.json'), '{"runtime":"node","entry":"model.cjs"}\n');
  write(
    join(tmp, 'model/model.cjs'),
    'exports.load = () => ({ predict: (rows) => rows.map(() => ({ label: 1 })) });\n',
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('OCI image layout without a daemon, checked by umoci and skopeo', () => {
  it('umoci unpacks it to the files, user and entrypoint given; skopeo reads the same manifest digest', async () => {
    const layout = join(tmp, 'layout');
    const built = await buildOciLayout(options(layout));
    expect(built.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.layers.map((layer) => layer.name)).toEqual(['server', 'runtime dependencies', 'artifact']);

    const inspected = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci:${layout}:iris-3`], { encoding: 'utf8' }),
    );
    expect(inspected.Digest).toBe(built.manifestDigest);
    expect(inspected.Layers).toEqual(built.layers.map((layer) => layer.digest));
    expect(inspected.Os).toBe('linux');
    const config = JSON.parse(
      execFileSync('skopeo', ['inspect', '--config', `oci:${layout}:iris-3`], { encoding: 'utf8' }),
    );
    expect(config.config.User).toBe('10001:10001');

    const bundle = join(tmp, 'bundle');
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:iris-3`, bundle], { stdio: 'pipe' });
    const rootfs = join(bundle, 'rootfs');
    expect(fs.readFileSync(join(rootfs, 'opt/model/model.cjs'), 'utf8')).toBe(
      fs.readFileSync(join(tmp, 'model/model.cjs'), 'utf8'),
    );
    expect(fs.readFileSync(join(rootfs, 'opt/cairn/node_modules/ajv/package.json'), 'utf8')).toBe(
      '{"name":"ajv"}\n',
    );
    expect(fs.statSync(join(rootfs, 'opt/cairn/bin/cairn.js')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(join(rootfs, 'opt/model/model.cjs')).mode & 0o777).toBe(0o644);
    const runtime = JSON.parse(fs.readFileSync(join(bundle, 'config.json'), 'utf8'));
    expect(runtime.process.args).toEqual(['node', '/opt/cairn/bin/cairn.js', 'serve', '/opt/model']);
    expect(runtime.process.user).toMatchObject({ uid: 10001, gid: 10001 });
    expect(await readOciManifestDigest(layout, 'iris-3')).toBe(built.manifestDigest);
  });

  it('is reproducible: the same inputs give the same manifest digest', async () => {
    const a = await buildOciLayout(options(join(tmp, 'a')));
    const b = await buildOciLayout(options(join(tmp, 'b')));
    expect(b.manifestDigest).toBe(a.manifestDigest);
    write(join(tmp, 'model/extra.txt'), 'changed\n');
    try {
      const c = await buildOciLayout(options(join(tmp, 'c')));
      expect(c.manifestDigest).not.toBe(a.manifestDigest);
      expect(c.layers[0]!.digest).toBe(a.layers[0]!.digest);
    } finally {
      fs.rmSync(join(tmp, 'model/extra.txt'));
    }
  });

  it('refuses a root user, links in a layer and a non-empty output folder; a changed blob is caught', async () => {
    await expect(
      buildOciLayout({ ...options(join(tmp, 'r')), runtime: { ...options('').runtime, user: '0:0' } }),
    ).rejects.toMatchObject({ code: 'PACKAGE_INPUT_INVALID' });
    fs.symlinkSync('/etc/passwd', join(tmp, 'deps/passwd'));
    try {
      await expect(buildOciLayout(options(join(tmp, 'l')))).rejects.toMatchObject({
        code: 'PACKAGE_INPUT_INVALID',
      });
    } finally {
      fs.rmSync(join(tmp, 'deps/passwd'));
    }
    const layout = join(tmp, 'tampered');
    const built = await buildOciLayout(options(layout));
    await expect(buildOciLayout(options(layout))).rejects.toMatchObject({ code: 'PACKAGE_INPUT_INVALID' });
    const blob = join(layout, 'blobs/sha256', built.layers[2]!.digest.slice(7));
    fs.appendFileSync(blob, 'x');
    await expect(readOciManifestDigest(layout)).rejects.toMatchObject({
      code: 'PACKAGE_LAYOUT_INVALID',
      data: { digest: built.layers[2]!.digest },
    });
  });
});

describe('ed25519 signatures over the manifest digest', () => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: 'pipe' });

  it('signs so that openssl verifies it, and rejects another key or another manifest', () => {
    openssl('genpkey', '-algorithm', 'ed25519', '-out', 'signing.pem');
    openssl('pkey', '-in', 'signing.pem', '-pubout', '-out', 'signing.pub.pem');
    openssl('genpkey', '-algorithm', 'ed25519', '-out', 'other.pem');
    openssl('pkey', '-in', 'other.pem', '-pubout', '-out', 'other.pub.pem');
    const digest = `sha256:${'cd'.repeat(32)}`;
    const signature = signManifestDigest(digest, loadKey('private', { file: join(tmp, 'signing.pem') }));
    // The independent check: openssl verifies the raw signature over the digest string.
    fs.writeFileSync(join(tmp, 'message'), digest);
    fs.writeFileSync(join(tmp, 'signature'), Buffer.from(signature.signature, 'base64'));
    openssl(
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      'signing.pub.pem',
      '-rawin',
      '-in',
      'message',
      '-sigfile',
      'signature',
    );

    process.env.CAIRN_TEST_VERIFY_KEY = fs.readFileSync(join(tmp, 'signing.pub.pem'), 'utf8');
    try {
      const publicKey = loadKey('public', { env: 'CAIRN_TEST_VERIFY_KEY' });
      expect(() => verifyManifestSignature(signature, digest, publicKey)).not.toThrow();
      expect(() => verifyManifestSignature(signature, `sha256:${'ce'.repeat(32)}`, publicKey)).toThrow(
        expect.objectContaining({ code: 'PACKAGE_SIGNATURE_INVALID' }),
      );
      const forged = { ...signature, manifestDigest: `sha256:${'ce'.repeat(32)}` };
      expect(() => verifyManifestSignature(forged, forged.manifestDigest, publicKey)).toThrow(
        expect.objectContaining({ code: 'PACKAGE_SIGNATURE_INVALID' }),
      );
    } finally {
      delete process.env.CAIRN_TEST_VERIFY_KEY;
    }
    const otherKey = loadKey('public', { file: join(tmp, 'other.pub.pem') });
    expect(() => verifyManifestSignature(signature, digest, otherKey)).toThrow(
      expect.objectContaining({ code: 'PACKAGE_SIGNATURE_INVALID' }),
    );
    openssl('genpkey', '-algorithm', 'rsa', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa.pem');
    expect(() => loadKey('private', { file: join(tmp, 'rsa.pem') })).toThrow(
      expect.objectContaining({ code: 'PACKAGE_KEY_INVALID' }),
    );
    expect(() => loadKey('private', { env: 'CAIRN_TEST_NO_SUCH_KEY' })).toThrow(
      expect.objectContaining({ code: 'PACKAGE_KEY_INVALID' }),
    );
  });
});

describe('Dockerfile', () => {
  const base = {
    baseImage: PINNED,
    copies: [
      { contextDir: 'deps', imagePath: '/opt/cairn/node_modules' },
      { contextDir: 'cairn', imagePath: '/opt/cairn/node_modules/@cairn' },
      { contextDir: 'model', imagePath: '/opt/model' },
    ],
    artifactHash: `${'ef'.repeat(32)}.dir`,
    modelPath: '/opt/model',
    serverCommand: ['node', '/opt/cairn/node_modules/@cairn/serve/dist/server-main.js'],
    port: 8080,
    uid: 10001,
    labels: { 'org.opencontainers.image.title': 'iris' },
  };

  it('is multi-stage on a pinned base, non-root, probes /healthz and starts the verifying server', () => {
    const text = renderDockerfile(base);
    const instructions = text.split('\n').filter((line) => /^[A-Z]+ /.test(line));
    expect(instructions.filter((line) => line.startsWith('FROM '))).toEqual([
      'FROM ${BASE_IMAGE} AS verify',
      'FROM ${BASE_IMAGE}',
    ]);
    expect(text).toContain(`ARG BASE_IMAGE=${PINNED}`);
    expect(instructions.filter((line) => line.startsWith('COPY --from=verify'))).toEqual([
      'COPY --from=verify --chown=0:0 /opt/cairn/ /opt/cairn/',
      'COPY --from=verify --chown=0:0 /opt/model/ /opt/model/',
    ]);
    expect(instructions).toContain('USER 10001:10001');
    const healthcheck = instructions.find((line) => line.startsWith('HEALTHCHECK '))!;
    expect(healthcheck).toContain('http://127.0.0.1:8080/healthz');
    const entrypoint = JSON.parse(instructions.find((line) => line.startsWith('ENTRYPOINT '))!.slice(11));
    expect(entrypoint).toEqual([
      ...base.serverCommand,
      '/opt/model',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--expect-hash',
      base.artifactHash,
    ]);
    // The final stage's instructions come after the last FROM: the user is set there, not only in the build stage.
    expect(instructions.lastIndexOf('USER 10001:10001')).toBeGreaterThan(
      instructions.lastIndexOf('FROM ${BASE_IMAGE}'),
    );
    const verify = JSON.parse(instructions.find((line) => line.startsWith('RUN '))!.slice(4));
    expect(verify).toEqual([
      ...base.serverCommand,
      '/opt/model',
      '--expect-hash',
      base.artifactHash,
      '--verify-only',
    ]);
    expect(instructions.indexOf(`RUN ${JSON.stringify(verify)}`)).toBeLessThan(
      instructions.lastIndexOf('FROM ${BASE_IMAGE}'),
    );
  });

  it('refuses a base image without a digest', () => {
    for (const baseImage of ['node:20', 'node@sha256:abc', 'node:20@sha1:' + 'a'.repeat(40)]) {
      expect(() => renderDockerfile({ ...base, baseImage })).toThrow(
        expect.objectContaining({ code: 'PACKAGE_BASE_NOT_PINNED' }),
      );
    }
  });
});
