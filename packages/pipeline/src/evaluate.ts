import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stratifiedKFold, summarizeFolds } from '@cairn/evaluation';
import { writeFileAtomic, writeJsonAtomic } from '@cairn/fs-atomic';
import type { MetricsReport } from '@cairn/metrics';
import type { LoadedModel, Prediction } from '@cairn/serve';
import { ensureArtifact } from './artifact';
import type { Row } from '@cairn/table';
import { prepareData, runTraining, type PreparedData } from './train';
import { scratchDir } from './scratch';
import { outputPaths, type CairnProjects } from './workspace';
import { renderEvaluationMarkdown } from './report';
import { codeFoldersOf, trackRun } from './track';

export interface EvaluateOptions {
  workspaceRoot: string;
  project: string;
  /** Folds for stratified k-fold cross-validation; defaults to model.json `cv` (off when absent). */
  cv?: number;
  log?: (line: string) => void;
  /** Receives the training command's output during cross-validation (see TrainOptions.output). */
  output?: (chunk: string) => void;
  /** Projects already discovered (a batch of tasks discovers them once). */
  projects?: CairnProjects;
  /** The Nx task running this (`project:target`), kept in the experiment record. */
  nxTask?: string;
}

/** The file evaluate writes into the model's folder for git, and compare reads at the base commit. */
export interface CommittedMetrics {
  project: string;
  metrics: Record<string, number>;
  cv?: { folds: number; metrics: Record<string, { mean: number; std: number }> };
  data: Record<string, string>;
  artifact: string;
  split: { test: number; seed: number; testRows: number };
}

const PREDICT_BATCH = 1000;

/** Feature values as the model contract wants them: numbers and strings, missing values left out. */
function featureRow(row: Row, features: string[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const feature of features) {
    const value = row[feature];
    if (value !== null && value !== undefined) out[feature] = value;
  }
  return out;
}

async function scoreRows(model: LoadedModel, data: PreparedData, rows: Row[]): Promise<MetricsReport> {
  const { computeMetrics } = await import('@cairn/metrics');
  const { label, task } = data.trainable.config;
  const predictions: Prediction[] = [];
  for (let start = 0; start < rows.length; start += PREDICT_BATCH) {
    const batch = rows.slice(start, start + PREDICT_BATCH).map((row) => featureRow(row, data.features));
    predictions.push(...(await model.predict(batch)));
  }
  const yTrue = rows.map((row) => row[label] as string | number);
  const yPred = predictions.map((prediction) => prediction.label);
  const labels = model.manifest.labels;
  const hasProbabilities =
    task !== 'regression' && labels && predictions.every((p) => p.probabilities?.length === labels.length);
  return computeMetrics({
    task,
    yTrue,
    yPred,
    ...(hasProbabilities
      ? {
          proba: {
            labels: labels!,
            columns: labels!.map((_, i) => predictions.map((p) => p.probabilities![i]!)),
          },
        }
      : {}),
    curves: true,
  });
}

/** The scalar metrics of a report (what gates compare); matrices, curves and per-class tables stay in the full report. */
export function scalarMetrics(report: MetricsReport): Record<string, number> {
  const scalars: Record<string, number> = {};
  for (const [key, value] of Object.entries(report)) {
    if (typeof value === 'number' && Number.isFinite(value) && key !== 'n_samples') scalars[key] = value;
  }
  return scalars;
}

/** The held-out scalar metrics of a model artifact in `artifactDir` (a tuning trial's objective). */
export async function holdoutMetrics(
  data: PreparedData,
  artifactDir: string,
): Promise<Record<string, number>> {
  const { loadModel } = await import('@cairn/serve');
  const model = await loadModel(artifactDir);
  try {
    return scalarMetrics(await scoreRows(model, data, data.test));
  } finally {
    await model.close();
  }
}

async function crossValidate(
  workspaceRoot: string,
  data: PreparedData,
  folds: number,
  log: (line: string) => void,
  output?: (chunk: string) => void,
) {
  const { label, task } = data.trainable.config;
  const rows = [...data.train, ...data.test];
  const splits = stratifiedKFold(rows, {
    k: folds,
    seed: data.seed,
    stratify: task === 'regression' ? () => 0 : (row: Row) => String(row[label]),
  });
  const results: Record<string, number>[] = [];
  for (const [index, split] of splits.entries()) {
    const scratch = await scratchDir(workspaceRoot, 'cv');
    try {
      log(`cairn: cross-validation fold ${index + 1}/${folds}`);
      const artifactDir = join(scratch, 'artifact');
      await runTraining(
        workspaceRoot,
        data,
        split.train.map((i: number) => rows[i]!),
        artifactDir,
        log,
        output,
      );
      const { loadModel } = await import('@cairn/serve');
      const model = await loadModel(artifactDir);
      try {
        results.push(
          scalarMetrics(
            await scoreRows(
              model,
              data,
              split.test.map((i: number) => rows[i]!),
            ),
          ),
        );
      } finally {
        await model.close();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return summarizeFolds(results);
}

/**
 * Scores the trained artifact on the held-out split (the same seeded split
 * train used), optionally cross-validates, and writes the full report plus the
 * small metrics.json that is committed and becomes the next baseline.
 */
export async function evaluate(options: EvaluateOptions): Promise<CommittedMetrics> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const started = Date.now();
  const data = await prepareData(workspaceRoot, options.project, options.projects);
  const { trainable } = data;
  const paths = outputPaths(trainable.root);
  const artifact = await ensureArtifact(workspaceRoot, trainable);

  const { loadModel } = await import('@cairn/serve');
  // The artifact folder in dist/ is writable by anything in the workspace: load what the pointer names.
  const model = await loadModel(artifact.dir, { expectedHash: artifact.hash });
  let report: MetricsReport;
  try {
    report = await scoreRows(model, data, data.test);
  } finally {
    await model.close();
  }
  const folds = options.cv ?? trainable.config.cv;
  const cv = folds
    ? { folds, metrics: await crossValidate(workspaceRoot, data, folds, log, options.output) }
    : undefined;

  const committed: CommittedMetrics = {
    project: trainable.name,
    metrics: scalarMetrics(report),
    ...(cv ? { cv } : {}),
    data: Object.fromEntries(data.datasets.map((d) => [d.name, d.pointer.hash])),
    artifact: artifact.hash,
    split: { test: data.testFraction, seed: data.seed, testRows: data.test.length },
  };
  await writeJsonAtomic(join(workspaceRoot, paths.evaluateMetrics), { ...committed, report });
  await writeFileAtomic(
    join(workspaceRoot, paths.evaluateReport),
    renderEvaluationMarkdown(committed, report),
  );
  await writeJsonAtomic(join(workspaceRoot, paths.committedMetrics), committed);
  const headline = ['accuracy', 'f1_macro', 'roc_auc', 'r2', 'rmse']
    .filter((key) => committed.metrics[key] !== undefined)
    .map((key) => `${key} ${committed.metrics[key]!.toFixed(4)}`)
    .join(', ');
  log(`cairn: ${trainable.name} on ${data.test.length} held-out rows: ${headline}`);
  const cvMeans = Object.fromEntries(
    Object.entries(cv?.metrics ?? {}).map(([name, summary]) => [`cv_${name}`, summary.mean]),
  );
  const experiment = await trackRun(
    workspaceRoot,
    {
      kind: 'evaluate',
      project: trainable.name,
      status: 'succeeded',
      started,
      params: trainable.config.params ?? {},
      metrics: { ...committed.metrics, ...cvMeans },
      data: committed.data,
      artifacts: [artifact.hash],
      codeFolders: codeFoldersOf(trainable),
      nxTask: options.nxTask,
      context: { split: committed.split, ...(cv ? { cvFolds: cv.folds } : {}) },
    },
    log,
  );
  if (experiment) log(`cairn: recorded experiment ${experiment.id}`);
  return committed;
}
