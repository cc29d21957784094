import { promises as fs, existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { cairnError } from '@cairn/errors';
import {
  appendAudit,
  buildOciLayout,
  checkPinnedBase,
  loadKey,
  renderDockerfile,
  resolveModel,
  signManifestDigest,
  type PackageSignature,
} from '@cairn/registry';
import type { Pointer } from '@cairn/store';
import { ensureArtifact } from './artifact';
import { materializeVerified } from './fetch-remote';
import { scratchDir } from './scratch';
import { resolveTrainable } from './trainable';
import { discoverProjects, outputPaths } from './workspace';

/** Where things go in the image. */
const IMAGE = {
  modules: '/opt/cairn/node_modules',
  cairn: '/opt/cairn/node_modules/@cairn',
  model: '/opt/model',
  server: '/opt/cairn/node_modules/@cairn/serve/dist/server-main.js',
  port: 8080,
  uid: 10001,
} as const;

export interface PackageOptions {
  /** Output folder: `Dockerfile` + `context/`, `image/` (the OCI layout), `package.json` (digests), `signature.json`. */
  outDir: string;
  /** Base image pinned by digest; default $CAIRN_BASE_IMAGE. */
  baseImage?: string;
  /** A registry version (`iris@3`, `iris#champion`) instead of the project's current trained artifact. */
  reference?: string;
  /** ed25519 private key PEM file; default $CAIRN_SIGNING_KEY when set, else unsigned. */
  signingKeyFile?: string;
  /** Recorded in the audit log when a registry version is packaged. */
  why?: string;
}

export interface PackageResult {
  model: string;
  version: number | null;
  artifactHash: string;
  baseImage: string;
  manifestDigest: string;
  layers: Array<{ name: string; digest: string; size: number }>;
  signature?: PackageSignature;
  outDir: string;
}

interface PlacedPackage {
  name: string;
  source: string;
  /** Path under the layer's root. */
  target: string;
  workspacePackage: boolean;
}

function packageDirOf(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The production dependency closure of `@cairn/serve` (the model server) as installed in the
 * workspace, resolved the way Node resolves packages, split into Cairn's
 * own packages (the server layer) and third-party ones (runtime
 * dependencies). Two versions of one name: the second nests under the
 * package that needs it.
 */
function serverClosure(workspaceRoot: string): PlacedPackage[] {
  const serve = packageDirOf('@cairn/serve', workspaceRoot);
  if (!serve || !existsSync(join(serve, 'dist', 'server-main.js'))) {
    throw cairnError(
      'PACKAGE_INPUT_INVALID',
      `${workspaceRoot}: no built @cairn/serve is installed, so there is no model server to package`,
      {
        data: { dir: workspaceRoot },
        hint: 'npm install -D @cairn/cli (it brings @cairn/serve); in the Cairn repository, `npm run build`',
      },
    );
  }
  const placed = new Map<string, PlacedPackage>();
  const queue: Array<{ name: string; dir: string; parentTarget: string }> = [
    { name: '@cairn/serve', dir: serve, parentTarget: '' },
  ];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { name, dir, parentTarget } = queue.shift()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const top = placed.get(name);
    const target = !top ? name : `${parentTarget}/node_modules/${name}`;
    if (top && top.source === dir) continue;
    const workspacePackage = !dir.split(sep).includes('node_modules');
    placed.set(target, { name, source: dir, target, workspacePackage });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      if (dependency.startsWith('@types/')) continue;
      const found = packageDirOf(dependency, dir);
      if (found) queue.push({ name: dependency, dir: found, parentTarget: target });
    }
  }
  return [...placed.values()];
}

/** Copies a package: an installed one whole, a workspace one as npm would pack it (`files`, package.json, README). */
async function copyPackage(pkg: PlacedPackage, targetRoot: string): Promise<void> {
  const target = join(targetRoot, ...pkg.target.split('/'));
  await fs.mkdir(target, { recursive: true });
  const filter = (source: string) => !relative(pkg.source, source).split(sep).includes('node_modules');
  if (!pkg.workspacePackage) {
    await fs.cp(pkg.source, target, { recursive: true, filter, verbatimSymlinks: true });
    return;
  }
  const manifest = JSON.parse(readFileSync(join(pkg.source, 'package.json'), 'utf8')) as { files?: string[] };
  for (const entry of ['package.json', ...(manifest.files ?? ['dist'])]) {
    const from = join(pkg.source, entry);
    if (existsSync(from))
      await fs.cp(from, join(target, entry), { recursive: true, filter, verbatimSymlinks: true });
  }
}

/** Removes the links some packages ship (e.g. `.bin`): an image layer holds regular files only. */
async function dropLinks(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) await fs.rm(path);
    else if (entry.isDirectory()) await dropLinks(path);
  }
}

/**
 * Packages a model: a Dockerfile with its build context, and an OCI image
 * layout built without a daemon (layers: Cairn's server, its runtime
 * dependencies, the artifact), optionally signed with ed25519 over the
 * manifest digest. The artifact is the project's current trained one, or a
 * registry version, and is verified against its hash before it is copied.
 */
export async function packageModel(
  workspaceRoot: string,
  project: string,
  options: PackageOptions,
): Promise<PackageResult> {
  const baseImage = checkPinnedBase(options.baseImage ?? process.env.CAIRN_BASE_IMAGE ?? '');
  const outDir = resolve(options.outDir);
  const scratch = await scratchDir(workspaceRoot, 'package');
  try {
    let artifactDir: string;
    let artifactHash: string;
    let version: number | null = null;
    if (options.reference) {
      const record = await resolveModel(workspaceRoot, options.reference);
      version = record.version;
      artifactHash = record.artifact.hash;
      artifactDir = join(scratch, 'registered');
      const pointer: Pointer = {
        version: 1,
        algorithm: 'blake3',
        hash: record.artifact.hash,
        size: record.artifact.size,
        ...(record.artifact.nfiles === undefined ? {} : { nfiles: record.artifact.nfiles }),
        path: 'registered',
      };
      await materializeVerified(workspaceRoot, pointer, artifactDir, `${record.model}@${record.version}`, {
        within: scratch,
      });
    } else {
      const trainable = resolveTrainable(await discoverProjects(workspaceRoot), project);
      ({ dir: artifactDir, hash: artifactHash } = await ensureArtifact(workspaceRoot, trainable));
    }
    const { verifiedArtifactCopy } = await import('@cairn/serve');
    const verified = await verifiedArtifactCopy(artifactDir, artifactHash);
    await fs.rm(outDir, { recursive: true, force: true });
    const context = join(outDir, 'context');
    try {
      await fs.mkdir(context, { recursive: true });
      await fs.cp(verified.dir, join(context, 'model'), { recursive: true });
    } finally {
      await verified.dispose();
    }
    for (const pkg of serverClosure(workspaceRoot)) {
      const cairnOwn = pkg.target.startsWith('@cairn/');
      await copyPackage(
        cairnOwn ? { ...pkg, target: pkg.target.slice('@cairn/'.length) } : pkg,
        join(context, cairnOwn ? 'cairn' : 'deps'),
      );
    }
    await fs.mkdir(join(context, 'deps'), { recursive: true });
    await dropLinks(context);
    const copies = [
      { contextDir: 'deps', imagePath: IMAGE.modules, name: 'runtime dependencies' },
      { contextDir: 'cairn', imagePath: IMAGE.cairn, name: 'server' },
      { contextDir: 'model', imagePath: IMAGE.model, name: 'artifact' },
    ];
    const labels = {
      'org.opencontainers.image.title': project,
      'org.opencontainers.image.version': version === null ? artifactHash.slice(0, 12) : String(version),
      'dev.cairn.model.artifact': artifactHash,
    };
    const serverCommand = ['node', IMAGE.server];
    const serverEnv = [
      `CAIRN_MODEL_NAME=${project}`,
      `CAIRN_MODEL_VERSION=${labels['org.opencontainers.image.version']}`,
    ];
    const tag = version === null ? project : `${project}-${version}`;
    const built = await buildOciLayout({
      outDir: join(outDir, 'image'),
      tag,
      baseImage,
      layers: copies.map((copy) => ({
        name: copy.name,
        dir: join(context, copy.contextDir),
        target: copy.imagePath,
      })),
      runtime: {
        entrypoint: [
          ...serverCommand,
          IMAGE.model,
          '--host',
          '0.0.0.0',
          '--port',
          String(IMAGE.port),
          '--expect-hash',
          artifactHash,
        ],
        user: `${IMAGE.uid}:${IMAGE.uid}`,
        exposedPorts: [`${IMAGE.port}/tcp`],
        labels,
      },
    });
    await fs.writeFile(
      join(outDir, 'Dockerfile'),
      renderDockerfile({
        baseImage,
        copies: copies.map(({ contextDir, imagePath }) => ({
          contextDir: `context/${contextDir}`,
          imagePath,
        })),
        artifactHash,
        modelPath: IMAGE.model,
        serverCommand,
        port: IMAGE.port,
        uid: IMAGE.uid,
        labels,
        env: serverEnv,
      }),
    );
    const keyFile = options.signingKeyFile;
    const signature =
      keyFile || process.env.CAIRN_SIGNING_KEY?.trim()
        ? signManifestDigest(built.manifestDigest, loadKey('private', { file: keyFile }))
        : undefined;
    if (signature)
      await fs.writeFile(join(outDir, 'signature.json'), `${JSON.stringify(signature, null, 2)}\n`);
    const result: PackageResult = {
      model: project,
      version,
      artifactHash,
      baseImage,
      manifestDigest: built.manifestDigest,
      layers: built.layers.map(({ name, digest, size }) => ({ name, digest, size })),
      ...(signature ? { signature } : {}),
      outDir,
    };
    await fs.writeFile(
      join(outDir, 'package.json'),
      `${JSON.stringify({ ...result, outDir: undefined }, null, 2)}\n`,
    );
    if (version !== null) {
      await appendAudit(workspaceRoot, {
        kind: 'model.package',
        subject: `${project}@${version}`,
        what: { manifestDigest: built.manifestDigest, baseImage, signed: !!signature },
        why: options.why ?? 'packaged',
      });
    }
    return result;
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Where the `package` target writes: next to the model's other outputs. */
export function packageDir(projectRoot: string): string {
  return `${outputPaths(projectRoot).base}/package`;
}
