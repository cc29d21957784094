import { existsSync, promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { cairnError } from '@cairn/errors';
import {
  artifactVersion,
  createModelServer,
  loadModel,
  MANIFEST_FILE,
  readReferenceCsv,
  type LoadedModel,
} from '@cairn/serve';
import { findWorkspaceRoot, materialize, POINTER_SUFFIX, readPointer } from '@cairn/store';

export interface ServeCommandOptions {
  port?: string;
  host?: string;
  name?: string;
  modelVersion?: string;
  reference?: string;
  trainingMetrics?: string;
  trainedAt?: string;
  python?: string;
  metrics?: boolean;
  json?: boolean;
}

export interface RunningServe {
  url: string;
  server: Server;
  model: LoadedModel;
  modelName: string;
  version: string;
  close(): Promise<void>;
}

const running = new Set<RunningServe>();

/** The Nx project a path belongs to: the nearest folder (up to 3 levels) holding a model.json. */
function projectNameFor(path: string): string | undefined {
  let dir = resolve(path);
  for (let i = 0; i < 4; i += 1) {
    if (existsSync(join(dir, 'model.json'))) return basename(dir);
    dir = dirname(dir);
  }
  return undefined;
}

function parsePort(value: string | undefined): number {
  const port = Number(value ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw cairnError('OPTION_INVALID', `--port ${value}: must be an integer from 0 to 65535`, {
      data: { option: 'port', value },
    });
  }
  return port;
}

function parseTrainedAt(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds)) {
    throw cairnError('OPTION_INVALID', `--trained-at ${value}: must be an ISO date or Unix seconds`, {
      data: { option: 'trained-at', value },
    });
  }
  return seconds;
}

async function readTrainingMetrics(file: string): Promise<Record<string, number>> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw cairnError(
      'OPTION_INVALID',
      `--training-metrics ${file}: not a readable JSON file (${(error as Error).message})`,
      {
        data: { option: 'training-metrics', value: file },
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw cairnError(
      'OPTION_INVALID',
      `--training-metrics ${file}: must hold a JSON object of metric names to numbers`,
      {
        data: { option: 'training-metrics', value: file },
      },
    );
  }
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

/**
 * Resolves the artifact (a folder, or a `.cairn` pointer materialized into a
 * temp folder), loads the model and starts the server. Resolves once it
 * listens.
 */
export async function startServe(target: string, options: ServeCommandOptions = {}): Promise<RunningServe> {
  const port = parsePort(options.port);
  let artifactDir = resolve(target);
  let scratch: string | undefined;
  let version = options.modelVersion;
  if (target.endsWith(POINTER_SUFFIX)) {
    const pointer = await readPointer(target);
    scratch = await fs.mkdtemp(join(tmpdir(), 'cairn-serve-'));
    artifactDir = join(scratch, 'artifact');
    await materialize(findWorkspaceRoot(dirname(resolve(target))), pointer, artifactDir, {
      within: scratch,
      source: { file: target, field: '/path' },
    });
    version ??= pointer.hash.slice(0, 12);
  }
  const cleanup = async () => {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  };
  try {
    const model = await loadModel(artifactDir, { python: options.python });
    version ??= await artifactVersion(artifactDir);
    const modelName = options.name ?? projectNameFor(target) ?? basename(artifactDir);
    const lastTrainedSeconds = options.trainedAt
      ? parseTrainedAt(options.trainedAt)
      : (await fs.stat(join(artifactDir, MANIFEST_FILE))).mtimeMs / 1000;
    const server = createModelServer({
      model,
      modelName,
      version,
      metrics: options.metrics !== false,
      trainingMetrics: options.trainingMetrics
        ? await readTrainingMetrics(options.trainingMetrics)
        : undefined,
      lastTrainedSeconds,
      reference: options.reference ? await readReferenceCsv(options.reference, model.manifest) : undefined,
    });
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        rejectListen(
          cairnError(
            'SERVE_LISTEN_FAILED',
            `cannot listen on ${options.host ?? '127.0.0.1'}:${port}: ${error.code ?? error.message}`,
            {
              data: { host: options.host ?? '127.0.0.1', port },
              hint: error.code === 'EADDRINUSE' ? 'pick another --port' : undefined,
            },
          ),
        ),
      );
      server.listen(port, options.host ?? '127.0.0.1', () => resolveListen());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const handle: RunningServe = {
      url: `http://${host}:${address.port}`,
      server,
      model,
      modelName,
      version,
      async close() {
        running.delete(handle);
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
        await model.close();
        await cleanup();
      },
    };
    running.add(handle);
    return handle;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Stops every server started by this process (tests, signal handlers). */
export async function closeRunningServers(): Promise<void> {
  await Promise.all([...running].map((handle) => handle.close()));
}

let signalsHandled = false;

/** SIGINT/SIGTERM close every running server (and its model) so the process can exit. Installed once. */
export function stopOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  const stop = () => {
    void closeRunningServers();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
