import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cairnError } from '@cairn/errors';
import { readModelManifest, type ModelManifest, type Prediction, type Row } from './manifest';
import { PythonWorker } from './python-worker';
import { verifiedArtifactCopy } from './verified-artifact';

export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly artifactDir: string;
  /** Pid of the python worker currently serving (python runtime only). */
  readonly workerPid?: number;
  predict(rows: Row[]): Promise<Prediction[]>;
  close(): Promise<void>;
}

export interface LoadModelOptions {
  /** Python interpreter for the python runtime; default `$CAIRN_PYTHON` or `/usr/bin/python3`. */
  python?: string;
  /** Receives the python worker's stderr; default: this process's stderr. */
  log?: (chunk: string) => void;
  /**
   * The artifact's content hash from its pointer or the registry. When given,
   * the model is loaded from a private copy whose bytes were hashed and match
   * it (see verifiedArtifactCopy), so no model file — no pickle — is read
   * before it was checked. Without it the folder is trusted as it is (a run
   * that just trained it in a private scratch folder).
   */
  expectedHash?: string;
}

interface NodeModelImpl {
  predict(rows: Row[]): Promise<Prediction[]> | Prediction[];
}

function checkPredictions(predictions: unknown, count: number, entry: string): Prediction[] {
  if (!Array.isArray(predictions) || predictions.length !== count) {
    throw cairnError(
      'MODEL_PREDICTION_INVALID',
      `${entry}: predict returned ${Array.isArray(predictions) ? `${predictions.length} predictions` : typeof predictions} for ${count} row(s)`,
      {
        data: { entry },
        hint: 'predict must return one {label, probabilities?} per input row, in order',
      },
    );
  }
  predictions.forEach((prediction: unknown, index) => {
    const label = (prediction as Prediction | null)?.label;
    if (typeof label !== 'string' && typeof label !== 'number') {
      throw cairnError(
        'MODEL_PREDICTION_INVALID',
        `${entry}: prediction ${index} has no string or number "label"`,
        {
          data: { entry, index },
        },
      );
    }
  });
  return predictions as Prediction[];
}

/**
 * Loads the entry afresh: an artifact folder may be rewritten in place
 * (retrained, re-materialized) within one process, so the module caches must
 * not hand back the previous model.
 */
async function importEntry(entryPath: string): Promise<Record<string, unknown>> {
  if (!entryPath.endsWith('.mjs')) {
    try {
      const requireFromEntry = createRequire(entryPath);
      delete requireFromEntry.cache[entryPath];
      return requireFromEntry(entryPath) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
    }
  }
  const stat = await fs.stat(entryPath);
  return (await import(`${pathToFileURL(entryPath).href}?v=${stat.mtimeMs}-${stat.size}`)) as Record<
    string,
    unknown
  >;
}

async function loadNodeModel(
  artifactDir: string,
  manifest: ModelManifest,
  entryPath: string,
): Promise<LoadedModel> {
  let exports: Record<string, unknown>;
  try {
    exports = await importEntry(entryPath);
  } catch (error) {
    throw cairnError(
      'MODEL_ENTRY_FAILED',
      `${entryPath}: loading the model entry failed: ${(error as Error).message}`,
      {
        data: { entry: entryPath },
        cause: error,
      },
    );
  }
  const load = (exports.load ?? (exports.default as Record<string, unknown> | undefined)?.load) as
    ((dir: string) => Promise<NodeModelImpl> | NodeModelImpl) | undefined;
  if (typeof load !== 'function') {
    throw cairnError('MODEL_ENTRY_INVALID', `${entryPath}: does not export a load(artifactDir) function`, {
      data: { entry: entryPath },
      hint: 'a node model entry exports async function load(artifactDir) returning { predict(rows) }',
    });
  }
  const impl = await load(artifactDir);
  if (typeof impl?.predict !== 'function') {
    throw cairnError(
      'MODEL_ENTRY_INVALID',
      `${entryPath}: load() did not return an object with predict(rows)`,
      {
        data: { entry: entryPath },
      },
    );
  }
  return {
    manifest,
    artifactDir,
    async predict(rows) {
      let predictions: unknown;
      try {
        predictions = await impl.predict(rows);
      } catch (error) {
        throw cairnError(
          'MODEL_PREDICT_FAILED',
          `${entryPath}: predict failed: ${(error as Error).message}`,
          {
            data: { entry: entryPath },
            cause: error,
          },
        );
      }
      return checkPredictions(predictions, rows.length, entryPath);
    },
    async close() {},
  };
}

/**
 * Loads a model artifact folder (docs/model-contract.md): the node runtime is
 * imported once in-process; the python runtime runs as one long-lived worker
 * process that serves every request (started now, so a broken interpreter
 * fails here rather than on the first request).
 */
export async function loadModel(artifactDir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  if (options.expectedHash === undefined) return loadTrusted(resolve(artifactDir), options);
  const verified = await verifiedArtifactCopy(resolve(artifactDir), options.expectedHash);
  let model: LoadedModel;
  try {
    model = await loadTrusted(verified.dir, options);
  } catch (error) {
    await verified.dispose();
    throw error;
  }
  return {
    manifest: model.manifest,
    artifactDir: model.artifactDir,
    get workerPid() {
      return model.workerPid;
    },
    predict: (rows) => model.predict(rows),
    async close() {
      try {
        await model.close();
      } finally {
        await verified.dispose();
      }
    },
  };
}

async function loadTrusted(dir: string, options: LoadModelOptions): Promise<LoadedModel> {
  const manifest = await readModelManifest(dir);
  const entryPath = resolve(dir, manifest.entry);
  try {
    await fs.access(entryPath);
  } catch {
    throw cairnError('MODEL_ENTRY_NOT_FOUND', `${entryPath}: the manifest's entry does not exist`, {
      data: { file: resolve(dir, 'cairn-model.json'), pointer: '/entry', entry: manifest.entry },
    });
  }
  if (manifest.runtime === 'node') return loadNodeModel(dir, manifest, entryPath);

  const python = options.python ?? process.env.CAIRN_PYTHON ?? '/usr/bin/python3';
  const worker = new PythonWorker({
    python,
    entryPath,
    artifactDir: dir,
    log: options.log,
  });
  const child = worker.start();
  await new Promise<void>((resolveSpawn, rejectSpawn) => {
    child.once('spawn', () => resolveSpawn());
    child.once('error', (error) => {
      const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      rejectSpawn(
        cairnError(
          notFound ? 'SERVE_PYTHON_NOT_FOUND' : 'SERVE_WORKER_CRASHED',
          `cannot start the python worker with ${python}: ${error.message}`,
          { hint: 'set CAIRN_PYTHON or pass --python to the interpreter the model needs' },
        ),
      );
    });
  });
  return {
    manifest,
    artifactDir: dir,
    get workerPid() {
      return worker.pid;
    },
    async predict(rows) {
      return checkPredictions(await worker.predict(rows), rows.length, entryPath);
    },
    close: () => worker.close(),
  };
}
