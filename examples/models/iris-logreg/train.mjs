// Trains an ml.js model under the Cairn model contract (docs/model-contract.md).
//
// Cairn runs `node train.mjs` in this folder with CAIRN_TRAIN_FILE (CSV with a header row),
// CAIRN_PARAMS_FILE, CAIRN_LABEL, CAIRN_TASK, CAIRN_SEED, CAIRN_OUTPUT_DIR and
// CAIRN_METRICS_FILE set (and CAIRN_FEATURES, the feature columns, comma-separated). By hand,
// only CAIRN_TRAIN_FILE and CAIRN_OUTPUT_DIR are needed: params, label, task, features and
// seed then come from ./model.json (features default to every column but the label).
//
// The artifact written to CAIRN_OUTPUT_DIR:
//   estimator.json    algorithm, labels, preprocessing (feature encoding + scaler), ml.js model
//   predict.cjs       a copy of ./predict.cjs, the `node` runtime entry: load(dir) -> { predict(rows) }
//   cairn-model.json  the manifest (runtime, entry, task, label, labels, features)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import LogisticRegression from 'ml-logistic-regression';
import KNN from 'ml-knn';
import { Matrix } from 'ml-matrix';
import { fitStandardizer } from '../../libs/features/index.mjs';

const require = createRequire(import.meta.url);
const { load, encodeRow, ESTIMATOR_FILE } = require('./predict.cjs');

const TASKS = ['binary', 'multiclass', 'regression'];

function fail(message) {
  console.error(`train.mjs: ${message}`);
  process.exit(1);
}

/** Logs one step's values to Cairn's experiment record (CAIRN_STEPS_FILE); call it once per epoch or stage. */
function logStep(step, values) {
  if (process.env.CAIRN_STEPS_FILE)
    fs.appendFileSync(process.env.CAIRN_STEPS_FILE, `${JSON.stringify({ step, ...values })}\n`);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read ${file}: ${error.message}`);
  }
}

function readSettings() {
  const config = fs.existsSync('model.json') ? readJson('model.json') : {};
  const required = (name) => process.env[name] || fail(`${name} is not set (see docs/model-contract.md)`);
  const settings = {
    trainFile: required('CAIRN_TRAIN_FILE'),
    outputDir: required('CAIRN_OUTPUT_DIR'),
    metricsFile: process.env.CAIRN_METRICS_FILE,
    params: process.env.CAIRN_PARAMS_FILE ? readJson(process.env.CAIRN_PARAMS_FILE) : (config.params ?? {}),
    label: process.env.CAIRN_LABEL ?? config.label,
    task: process.env.CAIRN_TASK ?? config.task,
    seed: process.env.CAIRN_SEED ?? config.seed ?? 42,
    features: process.env.CAIRN_FEATURES ? process.env.CAIRN_FEATURES.split(',') : config.features,
  };
  if (!settings.label) fail('no label column: set CAIRN_LABEL or "label" in model.json');
  if (!TASKS.includes(settings.task)) fail(`task must be one of ${TASKS.join(', ')}, got "${settings.task}"`);
  if (!/^\d+$/.test(String(settings.seed))) fail(`CAIRN_SEED must be an integer, got "${settings.seed}"`);
  settings.seed = Number(settings.seed);
  return settings;
}

export function readRows(file) {
  try {
    return parse(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    fail(`cannot read ${file}: ${error.message}`);
  }
}

const isMissing = (value) => value === undefined || value === '';

/**
 * Describes how each feature column is encoded: a column whose non-missing values all parse
 * as numbers is numeric (standardized when `scaled`), any other column is a string feature
 * one-hot encoded over its sorted training categories.
 */
export function fitPreprocessing(rows, featureNames, scaled) {
  return {
    features: featureNames.map((name) => {
      const values = rows.map((row) => row[name]).filter((value) => !isMissing(value));
      const numeric = values.length > 0 && values.every((value) => Number.isFinite(Number(value)));
      if (!numeric) return { name, type: 'string', categories: [...new Set(values)].sort() };
      return { name, type: 'number', scaled, ...fitStandardizer(values.map(Number)) };
    }),
  };
}

/** Trains the estimator named by params.algorithm; returns its toJSON(). */
function trainEstimator({ algorithm, task, vectors, targets, labels, params, seed }) {
  const regression = task === 'regression';
  switch (algorithm) {
    case 'random-forest': {
      const Forest = regression ? RandomForestRegression : RandomForestClassifier;
      const forest = new Forest({
        nEstimators: params.nEstimators ?? 25,
        maxFeatures: params.maxFeatures ?? 0.8,
        replacement: params.replacement ?? false,
        useSampleBagging: true,
        noOOB: true,
        seed,
        treeOptions: { maxDepth: params.maxDepth ?? 10, minNumSamples: params.minNumSamples ?? 3 },
      });
      forest.train(vectors, targets);
      return forest.toJSON();
    }
    case 'logistic-regression': {
      if (regression) fail('logistic-regression is a classifier; use random-forest or knn for regression');
      if (labels.length < 2) fail('logistic-regression needs at least two classes in the training data');
      const model = new LogisticRegression({
        numSteps: params.numSteps ?? 1000,
        learningRate: params.learningRate ?? 0.005,
      });
      // A constant first column gives each one-vs-rest classifier an intercept.
      model.train(new Matrix(vectors.map((vector) => [1, ...vector])), Matrix.columnVector(targets));
      return model.toJSON();
    }
    case 'knn':
      return new KNN(vectors, targets, { k: params.k ?? 5 }).toJSON();
    default:
      return fail(`params.algorithm must be random-forest, logistic-regression or knn, got "${algorithm}"`);
  }
}

/**
 * Node and the versions of the ml.js packages this trainer imports, for the run record: what a
 * reproduction has to install again (written to CAIRN_ENVIRONMENT_FILE when Cairn asks).
 */
function reportEnvironment() {
  const file = process.env.CAIRN_ENVIRONMENT_FILE;
  if (!file) return;
  const packages = {};
  for (const name of ['csv-parse', 'ml-knn', 'ml-logistic-regression', 'ml-matrix', 'ml-random-forest']) {
    // The package.json above the resolved entry: `exports` may hide `<name>/package.json`.
    for (let dir = path.dirname(require.resolve(name)); ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      const manifest = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
      if (manifest?.name === name) {
        packages[name] = manifest.version;
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  const report = { runtime: 'node', version: process.versions.node, packages };
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
}

async function main() {
  const started = performance.now();
  const { trainFile, outputDir, metricsFile, params, label, task, seed, features } = readSettings();
  const algorithm = params.algorithm ?? 'random-forest';
  const rows = readRows(trainFile);
  if (rows.length === 0) fail(`${trainFile} has no data rows`);
  const columns = Object.keys(rows[0]);
  if (!columns.includes(label)) fail(`label column "${label}" is not in ${trainFile} (columns: ${columns})`);
  const featureNames = features ?? columns.filter((column) => column !== label);
  const absent = featureNames.filter((name) => !columns.includes(name));
  if (absent.length) fail(`feature(s) ${absent} not in ${trainFile} (columns: ${columns})`);
  const unlabelled = rows.findIndex((row) => isMissing(row[label]));
  if (unlabelled >= 0) fail(`${trainFile}: data row ${unlabelled + 1} has no "${label}"`);
  const regression = task === 'regression';
  // Labels keep their type, as Cairn reads them back for evaluation: numbers when all are numeric.
  const firstText = rows.findIndex((row) => !Number.isFinite(Number(row[label])));
  if (regression && firstText >= 0) fail(`${trainFile}: row ${firstText + 1}: "${label}" is not a number`);
  const labelOf = (row) => (firstText < 0 ? Number(row[label]) : row[label]);
  const byValue = firstText < 0 ? (a, b) => a - b : undefined;
  const labels = regression ? undefined : [...new Set(rows.map(labelOf))].sort(byValue);
  const targets = rows.map((row) => (regression ? labelOf(row) : labels.indexOf(labelOf(row))));

  const scaled = params.standardize ?? algorithm !== 'random-forest';
  const preprocessing = fitPreprocessing(rows, featureNames, scaled);
  const vectors = rows.map((row) => encodeRow(row, preprocessing));
  const model = trainEstimator({ algorithm, task, vectors, targets, labels, params, seed });

  fs.mkdirSync(outputDir, { recursive: true });
  const state = { algorithm, task, label, labels, preprocessing, model };
  fs.writeFileSync(path.join(outputDir, ESTIMATOR_FILE), JSON.stringify(state));
  fs.copyFileSync(new URL('./predict.cjs', import.meta.url), path.join(outputDir, 'predict.cjs'));
  const manifest = {
    runtime: 'node',
    entry: 'predict.cjs',
    task,
    label,
    ...(labels && { labels }),
    features: preprocessing.features.map(({ name, type }) => ({ name, type })),
  };
  fs.writeFileSync(path.join(outputDir, 'cairn-model.json'), JSON.stringify(manifest, null, 2) + '\n');

  // Training metrics go through the saved artifact, which also proves it loads.
  const predictions = (await load(outputDir)).predict(rows);
  const metrics = { n_train: rows.length, n_features: featureNames.length };
  if (regression) {
    const squared = predictions.reduce((sum, p, i) => sum + (p.label - targets[i]) ** 2, 0);
    metrics.train_rmse = Math.sqrt(squared / rows.length);
  } else {
    metrics.train_accuracy = predictions.filter((p, i) => p.label === labelOf(rows[i])).length / rows.length;
  }
  // These estimators fit in one step; a model trained in epochs logs each one the same way.
  logStep(1, regression ? { train_rmse: metrics.train_rmse } : { train_accuracy: metrics.train_accuracy });
  if (metricsFile) fs.writeFileSync(metricsFile, JSON.stringify(metrics, null, 2) + '\n');
  reportEnvironment();
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`trained ${algorithm} on ${rows.length} rows in ${seconds}s: ${JSON.stringify(metrics)}`);
}

// Run as the training command; imported (by model.spec.mjs) it only lends its functions.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
