import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { trainTestSplit } from '@cairn/evaluation';
import { writeFileAtomic, writeJsonAtomic } from '@cairn/fs-atomic';
import { cairnPath, CairnTree, materialize, serializePointer, storePath, type Pointer } from '@cairn/store';
import { readTable, tableToCsv, type Row, type Table } from '@cairn/table';
import { ArtifactInvalidError, DatasetReadError, TrainCommandFailedError } from './errors';
import { ensureDataset, type ResolvedDataset } from './data';
import { featureColumns, resolveTrainable, type Trainable } from './trainable';
import { scratchDir } from './scratch';
import { toolkitVersion } from './version';
import {
  captureEnvironment,
  ENVIRONMENT_FILE_VARIABLE,
  reportedEnvironmentFile,
  type RunEnvironment,
} from './environment';
import { codeFoldersOf, codeState, readStepsFile, trackRun } from './track';
import type { StepValue } from '@cairn/experiments';
import { discoverProjects, outputPaths, requireProject, type CairnProjects } from './workspace';

export interface TrainOptions {
  workspaceRoot: string;
  project: string;
  /** Receives progress lines (defaults to stderr). */
  log?: (line: string) => void;
  /** Receives the training command's output instead of this process's stdout/stderr (a batch captures it per task). */
  output?: (chunk: string) => void;
  /** Projects already discovered (a batch of tasks discovers them once). */
  projects?: CairnProjects;
  /** The Nx task running this (`project:target`), kept in the experiment record. */
  nxTask?: string;
}

export interface RunRecord {
  project: string;
  kind: 'model' | 'experiment';
  startedAt: string;
  durationMs: number;
  command: string;
  params: Record<string, unknown>;
  seed: number;
  split: { test: number; trainRows: number; testRows: number };
  inputs: Record<string, { pointer: string; hash: string; size: number }>;
  artifact: { hash: string; size: number; nfiles?: number };
  metrics: Record<string, unknown>;
  git?: { commit: string; dirty?: boolean };
  toolkitVersion: string;
  host: string;
  /** Runtime, toolkit, lockfile hashes and the trainer's packages: what a reproduction must match. */
  environment?: RunEnvironment;
}

export interface PreparedData {
  trainable: Trainable;
  datasets: ResolvedDataset[];
  table: Table;
  train: Row[];
  test: Row[];
  features: string[];
  seed: number;
  testFraction: number;
}

/** Loads the model's datasets and splits the first one, exactly as train and evaluate both need it. */
export async function prepareData(
  workspaceRoot: string,
  project: string,
  discovered?: CairnProjects,
): Promise<PreparedData> {
  const projects = discovered ?? (await discoverProjects(workspaceRoot));
  const trainable = resolveTrainable(projects, project);
  const datasets: ResolvedDataset[] = [];
  for (const name of trainable.config.datasets) {
    datasets.push(
      await ensureDataset(
        workspaceRoot,
        requireProject(projects.datasets, name, 'dataset', trainable.configFile),
      ),
    );
  }
  const primary = datasets[0]!;
  const dataFile = `${primary.root}/${primary.config.data}`;
  // The dataset schema's default format is csv; the extension still picks the delimiter (.tsv).
  const table = readTable(primary.dataPath, {
    format: primary.config.format ?? 'csv',
    displayName: dataFile,
  });
  const { label } = trainable.config;
  if (!table.columns.includes(label)) {
    throw new DatasetReadError(
      dataFile,
      `has no label column "${label}" (model ${trainable.configFile}); columns: ${table.columns.join(', ')}`,
    );
  }
  const features = featureColumns(trainable.config, table.columns);
  for (const feature of features) {
    if (!table.columns.includes(feature)) {
      throw new DatasetReadError(
        dataFile,
        `has no feature column "${feature}" (model ${trainable.configFile}); columns: ${table.columns.join(', ')}`,
      );
    }
  }
  const seed = trainable.config.seed ?? 42;
  const testFraction = trainable.config.split?.test ?? 0.2;
  const usable = table.rows.filter((row) => row[label] !== null);
  const { train, test } = trainTestSplit(usable, {
    testFraction,
    seed,
    stratify: trainable.config.task === 'regression' ? undefined : (row: Row) => String(row[label]),
  });
  return { trainable, datasets, table, train, test, features, seed, testFraction };
}

export function runCommand(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  output?: (chunk: string) => void,
  signal?: AbortSignal,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    // By default the command's output goes straight to ours, so Nx shows and caches it as the task's terminal output.
    const child = spawn(command, {
      cwd,
      env,
      shell: true,
      stdio: ['ignore', output ? 'pipe' : 'inherit', output ? 'pipe' : 'inherit'],
      // A stopped trial (pruner) takes its whole process group with it, the shell's children too.
      detached: signal !== undefined,
    });
    if (output) {
      child.stdout?.setEncoding('utf8').on('data', output);
      child.stderr?.setEncoding('utf8').on('data', output);
    }
    const stop = () => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    };
    signal?.addEventListener('abort', stop, { once: true });
    child.once('error', reject);
    child.once('close', (code, killedBy) => {
      signal?.removeEventListener('abort', stop);
      resolve({ code, signal: killedBy });
    });
  });
}

/**
 * The environment variable that hands a dataset's file to a command: `CAIRN_DATA_<NAME>` for
 * the real data, `CAIRN_SYNTH_<NAME>` for the synthetic data of the model's tests.
 */
export function datasetEnvName(name: string, kind: 'DATA' | 'SYNTH' = 'DATA'): string {
  return `CAIRN_${kind}_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** What a training command reported: its final metrics and the values it logged per step. */
export interface TrainingResult {
  metrics: Record<string, unknown>;
  steps: Record<string, StepValue[]>;
  /** True when `watchSteps` stopped the command early (a pruned trial): no artifact was checked. */
  stopped?: boolean;
}

/** Called with the steps logged so far while training runs; returning true stops the command. */
export type StepWatch = (steps: Record<string, StepValue[]>) => boolean;

const STEP_POLL_MS = 200;

/**
 * Runs the model's training command on `rows` with the documented interface
 * (docs/model-contract.md) and checks it left an artifact manifest in
 * `outputDir`. Returns the metrics the command reported, final and per step.
 */
export async function runTraining(
  workspaceRoot: string,
  data: PreparedData,
  rows: Row[],
  outputDir: string,
  log: (line: string) => void,
  output?: (chunk: string) => void,
  watchSteps?: StepWatch,
): Promise<TrainingResult> {
  const { trainable } = data;
  const scratch = await scratchDir(workspaceRoot, 'run');
  try {
    const trainFile = join(scratch, 'train.csv');
    const paramsFile = join(scratch, 'params.json');
    const metricsFile = join(scratch, 'metrics.json');
    const stepsFile = join(scratch, 'steps.jsonl');
    await mkdir(outputDir, { recursive: true });
    await writeFile(trainFile, tableToCsv(data.table.columns, rows));
    await writeFile(paramsFile, `${JSON.stringify(trainable.config.params ?? {}, null, 2)}\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...trainable.config.train.env,
      CAIRN_TRAIN_FILE: trainFile,
      CAIRN_PARAMS_FILE: paramsFile,
      CAIRN_LABEL: trainable.config.label,
      CAIRN_FEATURES: data.features.join(','),
      CAIRN_TASK: trainable.config.task,
      CAIRN_SEED: String(data.seed),
      CAIRN_OUTPUT_DIR: outputDir,
      CAIRN_METRICS_FILE: metricsFile,
      CAIRN_STEPS_FILE: stepsFile,
      CAIRN_PROJECT: trainable.name,
      [ENVIRONMENT_FILE_VARIABLE]: reportedEnvironmentFile(outputDir),
    };
    for (const dataset of data.datasets) env[datasetEnvName(dataset.name)] = dataset.dataPath;

    const command = trainable.config.train.command;
    log(`cairn: training ${trainable.name} on ${rows.length} rows (seed ${data.seed}): ${command}`);
    const abort = watchSteps ? new AbortController() : undefined;
    const poll =
      watchSteps &&
      setInterval(() => {
        readStepsFile(stepsFile, trainable.name).then(
          (steps) => {
            if (!abort!.signal.aborted && watchSteps(steps)) abort!.abort();
          },
          // a line being written is not yet a whole line: the next poll reads it whole
          () => undefined,
        );
      }, STEP_POLL_MS);
    let result: { code: number | null; signal: string | null };
    try {
      result = await runCommand(command, join(workspaceRoot, trainable.codeRoot), env, output, abort?.signal);
    } finally {
      if (poll) clearInterval(poll);
    }
    if (abort?.signal.aborted) {
      const steps = await readStepsFile(stepsFile, trainable.name).catch(() => ({}));
      return { metrics: {}, steps, stopped: true };
    }
    if (result.code !== 0)
      throw new TrainCommandFailedError(trainable.name, command, result.code, result.signal);

    const manifestFile = join(outputDir, 'cairn-model.json');
    if (!existsSync(manifestFile))
      throw new ArtifactInvalidError(
        trainable.name,
        'cairn-model.json',
        'was not written by the training command',
      );
    try {
      JSON.parse(await readFile(manifestFile, 'utf8'));
    } catch (error) {
      throw new ArtifactInvalidError(
        trainable.name,
        'cairn-model.json',
        `is not valid JSON: ${(error as Error).message}`,
      );
    }
    const steps = await readStepsFile(stepsFile, trainable.name);
    if (!existsSync(metricsFile)) return { metrics: {}, steps };
    try {
      return { metrics: JSON.parse(await readFile(metricsFile, 'utf8')) as Record<string, unknown>, steps };
    } catch (error) {
      throw new ArtifactInvalidError(
        trainable.name,
        'CAIRN_METRICS_FILE',
        `is not valid JSON: ${(error as Error).message}`,
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Trains one model (or experiment): materializes and verifies its inputs,
 * runs its command with the documented interface, stores the artifact in the
 * content store and writes the small outputs Nx caches (pointer, metrics, run
 * record). Outputs are removed first and written only on success, so a failed
 * run leaves nothing that looks like a result.
 */
export async function train(options: TrainOptions): Promise<RunRecord> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const started = Date.now();
  const data = await prepareData(workspaceRoot, options.project, options.projects);
  const { trainable } = data;
  const paths = outputPaths(trainable.root);
  await rm(join(workspaceRoot, paths.trainDir), { recursive: true, force: true });

  const scratch = await scratchDir(workspaceRoot, 'train');
  try {
    const outputDir = join(scratch, 'artifact');
    const tracked = {
      kind: 'train' as const,
      project: trainable.name,
      started,
      params: trainable.config.params ?? {},
      data: Object.fromEntries(data.datasets.map((d) => [d.name, d.pointer.hash])),
      codeFolders: codeFoldersOf(trainable),
      nxTask: options.nxTask,
    };
    let result: TrainingResult;
    try {
      result = await runTraining(workspaceRoot, data, data.train, outputDir, log, options.output);
    } catch (error) {
      await trackRun(workspaceRoot, { ...tracked, status: 'failed', metrics: {}, artifacts: [] }, log);
      throw error;
    }
    const { metrics, steps } = result;
    const command = trainable.config.train.command;

    const artifact: Pointer = await storePath(workspaceRoot, outputDir, {
      // Under the store lock: a concurrent gc never finds the new artifact unreferenced.
      reference: (stored) =>
        writeFileAtomic(
          join(workspaceRoot, paths.artifactPointer),
          serializePointer({ ...stored, path: 'model' }),
        ),
    });
    // The artifact is restored out of the store beside the outputs (verified, sharing no inode), ready for evaluate and serve.
    await rm(join(workspaceRoot, paths.artifactDir), { recursive: true, force: true });
    await materialize(workspaceRoot, artifact, join(workspaceRoot, paths.artifactDir), {
      source: { file: paths.artifactPointer, field: '/path' },
    });

    // Read once for both records: the run record marks uncommitted code as dirty, the experiment keeps its hash.
    const code = await codeState(workspaceRoot, tracked.codeFolders);
    const record: RunRecord = {
      project: trainable.name,
      kind: trainable.kind,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      command,
      params: trainable.config.params ?? {},
      seed: data.seed,
      split: { test: data.testFraction, trainRows: data.train.length, testRows: data.test.length },
      inputs: Object.fromEntries(
        data.datasets.map((d) => [
          d.name,
          { pointer: d.pointerFile, hash: d.pointer.hash, size: d.pointer.size },
        ]),
      ),
      artifact: {
        hash: artifact.hash,
        size: artifact.size,
        ...(artifact.nfiles !== undefined ? { nfiles: artifact.nfiles } : {}),
      },
      metrics,
      git: code.commit ? { commit: code.commit, ...(code.uncommitted ? { dirty: true } : {}) } : undefined,
      toolkitVersion,
      host: hostname(),
      environment: await captureEnvironment(workspaceRoot, trainable.codeRoot, outputDir),
    };
    await writeJsonAtomic(join(workspaceRoot, paths.trainMetrics), metrics);
    await writeJsonAtomic(join(workspaceRoot, paths.runRecord), record);
    await appendRunRecord(workspaceRoot, record);
    // Whatever else the run record carries (versions, environment, seed, split, command) travels as context.
    const context = Object.fromEntries(
      Object.entries(record).filter(([key]) => !RECORD_FIELDS_TRACKED_APART.has(key)),
    );
    const experiment = await trackRun(
      workspaceRoot,
      {
        ...tracked,
        status: 'succeeded',
        metrics,
        steps,
        artifacts: [artifact.hash],
        context,
        code,
      },
      log,
    );
    if (experiment) log(`cairn: recorded experiment ${experiment.id} (cairn exp show ${experiment.id})`);
    log(
      `cairn: ${trainable.name} trained in ${((Date.now() - started) / 1000).toFixed(1)} s, artifact ${artifact.hash.slice(0, 12)}`,
    );
    return record;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** RunRecord fields an experiment record holds in fields of its own. */
const RECORD_FIELDS_TRACKED_APART = new Set([
  'project',
  'kind',
  'startedAt',
  'durationMs',
  'params',
  'inputs',
  'artifact',
  'metrics',
  'git',
  'host',
]);

/**
 * Every real training run (a cache hit runs nothing) is appended to the
 * workspace's local run history, `.cairn/runs/<project>.jsonl`.
 */
export async function appendRunRecord(workspaceRoot: string, record: RunRecord): Promise<void> {
  const dir = cairnPath(workspaceRoot, CairnTree.runs);
  await mkdir(dir, { recursive: true });
  // A single short append with O_APPEND is atomic with respect to other appenders.
  await appendFile(join(dir, `${record.project}.jsonl`), `${JSON.stringify(record)}\n`);
}
