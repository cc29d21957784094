import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { registryError } from '../errors';

/** Files of one image layer: a host folder placed at an absolute path of the image. */
export interface LayerSource {
  /** Shown in the image history, e.g. `server`, `runtime dependencies`, `artifact`. */
  name: string;
  /** Host folder whose regular files and folders go into the layer (links are refused). */
  dir: string;
  /** Absolute POSIX path in the image, e.g. `/opt/model`. */
  target: string;
}

/** The runtime configuration recorded in the image config (OCI image spec, `config`). */
export interface ImageRuntime {
  entrypoint: string[];
  cmd?: string[];
  env?: string[];
  /** `uid:gid`; never root. */
  user: string;
  workingDir?: string;
  exposedPorts?: string[];
  labels?: Record<string, string>;
}

export interface OciBuildOptions {
  /** Folder to write the layout into (created; must be empty or absent). */
  outDir: string;
  layers: LayerSource[];
  runtime: ImageRuntime;
  /** Reference of the base image these layers go on (recorded as the base annotation). */
  baseImage: string;
  /** Name of the manifest in index.json (`org.opencontainers.image.ref.name`), e.g. `iris-3`. */
  tag: string;
  /** Timestamps of every file and of the image (seconds); default SOURCE_DATE_EPOCH or 0, for reproducible digests. */
  epochSeconds?: number;
}

export interface OciBuildResult {
  manifestDigest: string;
  configDigest: string;
  layers: Array<{ name: string; digest: string; diffId: string; size: number }>;
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface TarEntry {
  path: string;
  type: 'directory' | 'file';
  mode: number;
  file?: string;
}

async function collect(root: string, target: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const parts = target.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++)
    entries.push({ path: parts.slice(0, i).join('/'), type: 'directory', mode: 0o755 });
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const inImage = posix.join(...parts, relative(root, full).split(sep).join('/'));
      if (entry.isDirectory()) {
        entries.push({ path: inImage, type: 'directory', mode: 0o755 });
        await walk(full);
      } else if (entry.isFile()) {
        const { mode } = await fs.stat(full);
        entries.push({ path: inImage, type: 'file', mode: mode & 0o111 ? 0o755 : 0o644, file: full });
      } else {
        throw registryError(
          'PACKAGE_INPUT_INVALID',
          `${full}: a symlink or special file cannot go into an image layer`,
          { file: full },
          'layers hold regular files and folders only',
        );
      }
    }
  };
  await walk(root);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A reproducible tar of the layer: sorted paths, root-owned, fixed times, read-only for others. */
async function layerTar(source: LayerSource, mtime: Date): Promise<Buffer> {
  if (!posix.isAbsolute(source.target) || source.target.split('/').includes('..')) {
    throw registryError(
      'PACKAGE_INPUT_INVALID',
      `layer ${source.name}: target ${source.target} is not an absolute image path`,
      {
        layer: source.name,
        target: source.target,
      },
    );
  }
  const entries = await collect(source.dir, source.target);
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  for (const entry of entries) {
    const header = {
      name: entry.path,
      mode: entry.mode,
      mtime,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
    };
    if (entry.type === 'directory') tar.entry({ ...header, type: 'directory' });
    else tar.entry({ ...header, type: 'file' }, await fs.readFile(entry.file!));
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function writeBlob(outDir: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  await fs.writeFile(join(outDir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  return { digest, size: bytes.length };
}

/** Canonical JSON bytes of a manifest or config (fixed key order by construction, no spaces). */
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/**
 * Writes an OCI image layout (image-spec v1.1: `oci-layout`, `index.json`,
 * `blobs/sha256/…`) holding one image whose layers are `layers`, without a
 * container daemon. The layers and config are byte-for-byte reproducible
 * from the same inputs and epoch, so the manifest digest identifies the
 * package. The base image is recorded by reference in the manifest's
 * `org.opencontainers.image.base.name` annotation: a registry client
 * (skopeo, crane) or a Dockerfile build puts these layers on it.
 */
export async function buildOciLayout(options: OciBuildOptions): Promise<OciBuildResult> {
  if (/^(0|root)(:|$)/.test(options.runtime.user)) {
    throw registryError(
      'PACKAGE_INPUT_INVALID',
      `image user ${options.runtime.user}: the server never runs as root`,
      {
        user: options.runtime.user,
      },
    );
  }
  const existing = await fs.readdir(options.outDir).catch(() => []);
  if (existing.length > 0) {
    throw registryError(
      'PACKAGE_INPUT_INVALID',
      `${options.outDir}: not empty; an image layout is written into a new folder`,
      {
        dir: options.outDir,
      },
    );
  }
  await fs.mkdir(join(options.outDir, 'blobs', 'sha256'), { recursive: true });
  const epoch = options.epochSeconds ?? Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  const mtime = new Date(epoch * 1000);
  const layers: OciBuildResult['layers'] = [];
  for (const source of options.layers) {
    const tar = await layerTar(source, mtime);
    // level 9 and a zero gzip header time: the same tar always compresses to the same bytes.
    const blob = await writeBlob(options.outDir, gzipSync(tar, { level: 9 }));
    layers.push({ name: source.name, digest: blob.digest, diffId: sha256(tar), size: blob.size });
  }
  const created = mtime.toISOString();
  const { runtime } = options;
  const config = {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: {
      User: runtime.user,
      Entrypoint: runtime.entrypoint,
      ...(runtime.cmd ? { Cmd: runtime.cmd } : {}),
      Env: runtime.env ?? [],
      WorkingDir: runtime.workingDir ?? '/',
      ExposedPorts: Object.fromEntries((runtime.exposedPorts ?? []).map((port) => [port, {}])),
      Labels: runtime.labels ?? {},
    },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map((layer) => ({ created, created_by: `cairn package: ${layer.name}` })),
  };
  const configBlob = await writeBlob(options.outDir, json(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((layer) => ({ mediaType: MEDIA.layer, digest: layer.digest, size: layer.size })),
    annotations: {
      'org.opencontainers.image.base.name': options.baseImage,
      'org.opencontainers.image.created': created,
      ...runtime.labels,
    },
  };
  const manifestBlob = await writeBlob(options.outDir, json(manifest));
  await fs.writeFile(join(options.outDir, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
  await fs.writeFile(
    join(options.outDir, 'index.json'),
    json({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [
        {
          mediaType: MEDIA.manifest,
          digest: manifestBlob.digest,
          size: manifestBlob.size,
          annotations: { 'org.opencontainers.image.ref.name': options.tag },
        },
      ],
    }),
  );
  return { manifestDigest: manifestBlob.digest, configDigest: configBlob.digest, layers };
}

/**
 * The manifest digest an OCI layout's index names for `tag` (the only one
 * when `tag` is omitted), after checking that every blob the manifest
 * reaches hashes to its digest: what a signature is checked against.
 */
export async function readOciManifestDigest(layoutDir: string, tag?: string): Promise<string> {
  const fail = (problem: string, data: Record<string, unknown> = {}) =>
    registryError('PACKAGE_LAYOUT_INVALID', `${layoutDir}: ${problem}`, { dir: layoutDir, ...data });
  let index: { manifests?: Array<{ digest?: string; annotations?: Record<string, string> }> };
  try {
    index = JSON.parse(await fs.readFile(join(layoutDir, 'index.json'), 'utf8')) as typeof index;
  } catch (error) {
    throw fail(`index.json unreadable (${(error as Error).message})`);
  }
  const manifests = (index.manifests ?? []).filter(
    (entry) => tag === undefined || entry.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (manifests.length !== 1 || typeof manifests[0]!.digest !== 'string') {
    throw fail(`index.json names ${manifests.length} manifests${tag ? ` tagged ${tag}` : ''}; expected one`, {
      tag,
    });
  }
  const readBlob = async (digest: unknown): Promise<Buffer> => {
    if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest))
      throw fail(`bad digest ${String(digest)}`);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(join(layoutDir, 'blobs', 'sha256', digest.slice(7)));
    } catch {
      throw fail(`blob ${digest} is missing`, { digest });
    }
    if (sha256(bytes) !== digest) throw fail(`blob ${digest} does not match its digest`, { digest });
    return bytes;
  };
  const digest = manifests[0]!.digest!;
  const manifest = JSON.parse((await readBlob(digest)).toString('utf8')) as {
    config?: { digest?: string };
    layers?: Array<{ digest?: string }>;
  };
  await readBlob(manifest.config?.digest);
  for (const layer of manifest.layers ?? []) await readBlob(layer.digest);
  return digest;
}
