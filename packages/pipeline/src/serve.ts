import { promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { cairnError } from '@cairn/errors';
import type {
  LoadedModel,
  ModelServer,
  ModelServerOptions,
  PredictionLogOptions,
  TrafficPolicy,
} from '@cairn/serve';
import { findWorkspaceRoot, materialize, POINTER_SUFFIX, readPointer } from '@cairn/store';
import { ensureArtifact } from './artifact';
import { ensureDataset } from './data';
import { resolveTrainable } from './trainable';
import { committedMetrics, requestMasker, retrainOnAccuracyDrop } from './delivery';
import { discoverProjects, outputPaths, projectNameAt, requireProject } from './workspace';
import type { DatasetSpec } from '@cairn/validate';

export interface ServeOptions {
  /** Port to listen on (0: any free port); default 8080. */
  port?: number;
  host?: string;
  /** The `model` label of every metric; default: the project the artifact belongs to. */
  name?: string;
  /** The `version` label; default: the pointer's hash, or a content hash of the artifact. */
  modelVersion?: string;
  /** Training data (CSV with header): the reference of the live drift scores. */
  reference?: string;
  /** JSON file of this version's evaluation metrics to export. */
  trainingMetrics?: string;
  /** When this version was trained (Unix seconds); default: the manifest's mtime. */
  trainedAtSeconds?: number;
  python?: string;
  /** false disables /metrics and metric collection. */
  metrics?: boolean;
  /** Registry alias the version serves (`alias` label, `x-cairn-alias`). */
  alias?: string;
  /** Log requests and predictions (sampled, masked, rotated JSON Lines). */
  predictionLog?: PredictionLogOptions;
  /** Called after delayed labels arrive (POST /feedback). */
  onFeedback?: ModelServerOptions['onFeedback'];
  /** A second version served beside this one under a traffic policy. */
  challenger?: { target: string; version?: string; expectedHash?: string; traffic: TrafficPolicy };
  /**
   * The content hash an artifact folder must have (from its pointer or the
   * registry): the model is then loaded from a verified private copy. A
   * pointer target always supplies its own.
   */
  expectedHash?: string;
}

export interface RunningServe {
  url: string;
  server: ModelServer;
  model: LoadedModel;
  modelName: string;
  version: string;
  close(): Promise<void>;
}

const running = new Set<RunningServe>();

async function readTrainingMetrics(file: string): Promise<Record<string, number>> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw cairnError(
      'OPTION_INVALID',
      `--training-metrics ${file}: not a readable JSON file (${(error as Error).message})`,
      { data: { option: 'training-metrics', value: file } },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw cairnError(
      'OPTION_INVALID',
      `--training-metrics ${file}: must hold a JSON object of metric names to numbers`,
      { data: { option: 'training-metrics', value: file } },
    );
  }
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      rejectListen(
        cairnError(
          'SERVE_LISTEN_FAILED',
          `cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          {
            data: { host, port },
            hint: error.code === 'EADDRINUSE' ? 'pick another --port' : undefined,
          },
        ),
      ),
    );
    server.listen(port, host, () => resolveListen());
  });
}

/**
 * An artifact folder, or a `.cairn` pointer materialized into a temp folder
 * (removed by `cleanup`); a pointer brings the hash its artifact must have.
 */
async function resolveArtifact(
  target: string,
): Promise<{ dir: string; version?: string; expectedHash?: string; cleanup: () => Promise<void> }> {
  if (!target.endsWith(POINTER_SUFFIX)) return { dir: resolve(target), cleanup: async () => undefined };
  const pointer = await readPointer(target);
  const scratch = await fs.mkdtemp(join(tmpdir(), 'cairn-serve-'));
  const cleanup = () => fs.rm(scratch, { recursive: true, force: true });
  try {
    const dir = join(scratch, 'artifact');
    await materialize(findWorkspaceRoot(dirname(resolve(target))), pointer, dir, {
      within: scratch,
      source: { file: target, field: '/path' },
    });
    return { dir, version: pointer.hash.slice(0, 12), expectedHash: pointer.hash, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Resolves the artifact (a folder, or a `.cairn` pointer materialized into a
 * temp folder), loads the model and starts the server. Resolves once it
 * listens.
 */
export async function startServe(target: string, options: ServeOptions = {}): Promise<RunningServe> {
  // Loaded on first use, as everything heavy in the pipeline: its entry stays cheap for the CLI.
  const { artifactVersion, createModelServer, loadModel, MANIFEST_FILE, PredictionLog, readReferenceCsv } =
    await import('@cairn/serve');
  const port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  const resolved = await resolveArtifact(target);
  const artifactDir = resolved.dir;
  const cleanups = [resolved.cleanup];
  const expectedHash = options.expectedHash ?? resolved.expectedHash;
  const cleanup = async () => {
    await Promise.all(cleanups.map((clean) => clean()));
  };
  let version = options.modelVersion ?? resolved.version;
  try {
    const model = await loadModel(artifactDir, { python: options.python, expectedHash });
    version ??= await artifactVersion(artifactDir);
    const modelName = options.name ?? projectNameAt(target, ['model', 'experiment']) ?? basename(artifactDir);
    const lastTrainedSeconds =
      options.trainedAtSeconds ?? (await fs.stat(join(artifactDir, MANIFEST_FILE))).mtimeMs / 1000;
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
      ...(options.alias ? { alias: options.alias } : {}),
      ...(options.predictionLog ? { predictionLog: new PredictionLog(options.predictionLog) } : {}),
      ...(options.onFeedback ? { onFeedback: options.onFeedback } : {}),
    });
    if (options.challenger) {
      const challenger = await resolveArtifact(options.challenger.target);
      cleanups.push(challenger.cleanup);
      const challengerModel = await loadModel(challenger.dir, {
        python: options.python,
        expectedHash: options.challenger.expectedHash ?? challenger.expectedHash,
      });
      await server.traffic.setChallenger(
        {
          model: challengerModel,
          version:
            options.challenger.version ?? challenger.version ?? (await artifactVersion(challenger.dir)),
        },
        options.challenger.traffic,
      );
    }
    await listen(server, host, port);
    const address = server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const handle: RunningServe = {
      url: `http://${urlHost}:${address.port}`,
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

export interface ServeProjectOptions {
  workspaceRoot: string;
  project: string;
  port?: number;
  host?: string;
  /** Log requests (default folder: the project's outputs, `serve/requests`); PII masked by the dataset spec. */
  log?: { dir?: string; sampleRate?: number; maxFileBytes?: number; maxFiles?: number };
}

/**
 * The `serve` target: a project's trained model, linked out of the store,
 * with its first dataset (when CSV) as the reference of the live drift scores.
 */
export async function serveProject(options: ServeProjectOptions): Promise<RunningServe> {
  const { workspaceRoot } = options;
  const projects = await discoverProjects(workspaceRoot);
  const trainable = resolveTrainable(projects, options.project);
  const artifact = await ensureArtifact(workspaceRoot, trainable);
  const first = trainable.config.datasets[0];
  const dataset = first
    ? await ensureDataset(
        workspaceRoot,
        requireProject(projects.datasets, first, 'dataset', trainable.configFile),
      )
    : undefined;
  const paths = outputPaths(trainable.root);
  const trainingMetrics = await committedMetrics(join(workspaceRoot, paths.committedMetrics));
  const { resolveThresholds } = await import('@cairn/monitoring');
  const thresholds = resolveThresholds(trainable.config.monitoring);
  const onFeedback =
    trainingMetrics?.accuracy !== undefined
      ? retrainOnAccuracyDrop({
          modelDir: join(workspaceRoot, trainable.root),
          project: trainable.name,
          baseline: trainingMetrics.accuracy,
          drop: thresholds.accuracy_drop,
        })
      : undefined;
  const mask = options.log
    ? await requestMasker(dataset?.config.validation?.pii as DatasetSpec['pii'] | undefined)
    : undefined;
  return startServe(artifact.dir, {
    port: options.port,
    host: options.host,
    name: trainable.name,
    modelVersion: artifact.hash.slice(0, 12),
    ...(dataset && (dataset.config.format ?? 'csv') === 'csv' ? { reference: dataset.dataPath } : {}),
    ...(options.log
      ? {
          predictionLog: {
            ...options.log,
            dir: options.log.dir ?? join(workspaceRoot, paths.serveLogDir),
            ...(mask ? { mask } : {}),
          },
        }
      : {}),
    ...(onFeedback ? { onFeedback } : {}),
  });
}

/** Stops every server started by this process (tests, signal handlers). */
export async function closeRunningServers(): Promise<void> {
  await Promise.all([...running].map((handle) => handle.close()));
}

let signalsHandled = false;

/** SIGINT/SIGTERM close every running server (and its model) so the process can exit. Installed once. */
export function stopServersOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  const stop = () => {
    void closeRunningServers();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
