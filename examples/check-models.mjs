// Trains and loads every example model by hand, exactly as docs/model-contract.md says Cairn
// does, without the Nx plugin:
//
//   node examples/check-models.mjs            check all models
//   node examples/check-models.mjs iris-forest wine-knn
//   node examples/check-models.mjs --sync     first rewrite the models' code from templates/
//
// For each examples/models/<name>/model.json it
//   1. checks the model's code is the template's (train.mjs/predict.cjs from templates/model-ts,
//      train.py/predict.py from templates/model-python; a model with "dependsOn": ["features"]
//      imports fitStandardizer from the shared library instead of defining it);
//   2. splits the first dataset (seeded, stratified, `split.test`), writes the train split as
//      CSV and runs `train.command` in the model's folder with the CAIRN_* variables;
//   3. loads the artifact (node: load(dir) from the copied predict.cjs; python: the predict.py
//      worker over stdin/stdout) and predicts the test and train rows;
//   4. checks the manifest and the predictions, the test accuracy against the `accuracy` gate,
//      that the artifact's train accuracy equals the one train reported, and that a second
//      training with the same seed gives byte-identical artifact files;
//   5. runs the model's own tests on synthetic data from its dataset's spec, as the `test` target
//      does (all node models in one vitest process; needs the built @cairn/validate).
// Python models need numpy and scikit-learn in the interpreter (CAIRN_PYTHON, default
// /usr/bin/python3); without them the model fails with the command that installs them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const require = createRequire(import.meta.url);
const examplesDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(examplesDir);
const python = process.env.CAIRN_PYTHON ?? '/usr/bin/python3';
const FAST_SECONDS = 3;
// Set in some shells; they would hide a worker that forgets to flush or a stray __pycache__.
const { PYTHONUNBUFFERED: _unbuffered, PYTHONDONTWRITEBYTECODE: _noBytecode, ...cleanEnv } = process.env;

/**
 * CPU seconds used by finished child processes (Linux /proc; elsewhere null): unlike wall time,
 * it does not grow when other work loads the machine.
 */
function childCpuSeconds() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const CLOCK_TICKS_PER_SECOND = 100;
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const TEMPLATE_CODE = {
  node: {
    dir: path.join(repoRoot, 'plugins', 'nx', 'templates', 'model-ts', 'files'),
    files: ['train.mjs', 'predict.cjs', 'model.spec.mjs', 'vitest.config.mjs'],
  },
  python: {
    dir: path.join(repoRoot, 'plugins', 'nx', 'templates', 'model-python', 'files'),
    files: ['train.py', 'predict.py', 'test_model.py'],
  },
};
const LOCAL_STANDARDIZER =
  /\n\/\*\* Mean and population standard deviation[^\n]*\nfunction fitStandardizer[\s\S]*?\n}\n/;
const LAST_LIBRARY_IMPORT = "import { Matrix } from 'ml-matrix';\n";
const FEATURES_IMPORT = "import { fitStandardizer } from '../../libs/features/index.mjs';\n";

/** The code a model should have: the template's, with the shared standardizer when it depends on `features`. */
function expectedCode(runtime, file, config) {
  const text = fs.readFileSync(path.join(TEMPLATE_CODE[runtime].dir, file), 'utf8');
  if (file !== 'train.mjs' || !(config.dependsOn ?? []).includes('features')) return text;
  if (!LOCAL_STANDARDIZER.test(text) || !text.includes(LAST_LIBRARY_IMPORT)) {
    throw new Error('templates/model-ts/files/train.mjs no longer defines fitStandardizer where expected');
  }
  return text
    .replace(LOCAL_STANDARDIZER, '')
    .replace(LAST_LIBRARY_IMPORT, LAST_LIBRARY_IMPORT + FEATURES_IMPORT);
}

function checkCode(modelDir, runtime, config, sync) {
  const stale = [];
  for (const file of TEMPLATE_CODE[runtime].files) {
    const expected = expectedCode(runtime, file, config);
    const target = path.join(modelDir, file);
    const actual = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
    if (actual === expected) continue;
    if (sync) fs.writeFileSync(target, expected);
    else stale.push(file);
  }
  if (stale.length) throw new Error(`${stale.join(', ')} differ from the template (run with --sync)`);
}

/** A seeded PRNG (mulberry32): the split must be the same on every run. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stratifiedSplit(rows, label, testFraction, seed) {
  const next = random(seed);
  const byClass = new Map();
  for (const row of rows) byClass.set(row[label], [...(byClass.get(row[label]) ?? []), row]);
  const train = [];
  const test = [];
  for (const group of byClass.values()) {
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [group[i], group[j]] = [group[j], group[i]];
    }
    const nTest = Math.round(group.length * testFraction);
    test.push(...group.slice(0, nTest));
    train.push(...group.slice(nTest));
  }
  return { train, test };
}

const csvField = (value) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const toCsv = (columns, rows) =>
  [columns, ...rows.map((row) => columns.map((c) => row[c]))]
    .map((f) => f.map(csvField).join(','))
    .join('\n') + '\n';

/** Feature values as a caller would send them: numbers as numbers, missing values left out. */
function requestRow(row, features) {
  const out = {};
  for (const { name } of features) {
    const value = row[name];
    if (value === undefined || value === '') continue;
    out[name] = Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}

function train(modelDir, config, trainRows, columns, datasetFiles) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-example-'));
  const outputDir = path.join(work, 'artifact');
  fs.mkdirSync(outputDir);
  fs.writeFileSync(path.join(work, 'train.csv'), toCsv(columns, trainRows));
  fs.writeFileSync(path.join(work, 'params.json'), JSON.stringify(config.params ?? {}));
  const env = {
    ...cleanEnv,
    ...config.train.env,
    CAIRN_TRAIN_FILE: path.join(work, 'train.csv'),
    CAIRN_PARAMS_FILE: path.join(work, 'params.json'),
    CAIRN_LABEL: config.label,
    CAIRN_TASK: config.task,
    CAIRN_SEED: String(config.seed ?? 42),
    CAIRN_OUTPUT_DIR: outputDir,
    CAIRN_METRICS_FILE: path.join(work, 'metrics.json'),
    ...(config.features && { CAIRN_FEATURES: config.features.join(',') }),
  };
  for (const [name, file] of Object.entries(datasetFiles)) {
    env[`CAIRN_DATA_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = file;
  }
  const started = performance.now();
  const cpuBefore = childCpuSeconds();
  const result = spawnSync(config.train.command, { cwd: modelDir, env, shell: true, encoding: 'utf8' });
  const cpuAfter = childCpuSeconds();
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuBefore === null ? null : cpuAfter - cpuBefore;
  if (result.status !== 0) {
    throw new Error(
      `"${config.train.command}" exited with ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  }
  const metrics = JSON.parse(fs.readFileSync(env.CAIRN_METRICS_FILE, 'utf8'));
  return { work, outputDir, metrics, seconds, cpuSeconds };
}

/** Sends each request to a `python` runtime worker, one line at a time, and collects its answers. */
async function askWorker(artifactDir, manifest, requests) {
  const worker = spawn(python, [path.join(artifactDir, manifest.entry), artifactDir], {
    env: cleanEnv,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => worker.once('close', resolve));
  const lines = readline.createInterface({ input: worker.stdout })[Symbol.asyncIterator]();
  const answers = [];
  for (const request of requests) {
    // Waiting for each answer before the next request proves the worker flushes per line.
    worker.stdin.write(JSON.stringify(request) + '\n');
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to request ${request.id} within 30 s`)), 30_000);
    });
    try {
      const { value, done } = await Promise.race([lines.next(), timeout]);
      if (done) throw new Error(`the worker exited before answering request ${request.id}`);
      answers.push(JSON.parse(value));
    } catch (error) {
      worker.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  worker.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`the worker exited with ${code} when stdin closed`);
  return answers;
}

async function predictAll(artifactDir, manifest, batches) {
  if (manifest.runtime === 'node') {
    const model = await require(path.join(artifactDir, manifest.entry)).load(artifactDir);
    const results = [];
    for (const rows of batches) results.push(await model.predict(rows));
    let badRowError = null;
    try {
      await model.predict([{ [numericFeature(manifest)]: 'not a number' }]);
    } catch (error) {
      badRowError = error.message;
    }
    return { results, badRowError };
  }
  const requests = batches.map((rows, i) => ({ id: i + 1, rows }));
  requests.push({ id: 'bad', rows: [{ [numericFeature(manifest)]: 'not a number' }] });
  const answers = await askWorker(artifactDir, manifest, requests);
  answers.forEach((answer, i) => {
    if (answer.id !== requests[i].id)
      throw new Error(`answer ${i} has id ${answer.id}, expected ${requests[i].id}`);
  });
  const failed = answers.slice(0, -1).find((answer) => answer.error);
  if (failed) throw new Error(`the worker answered request ${failed.id} with an error: ${failed.error}`);
  return {
    results: answers.slice(0, -1).map((a) => a.predictions),
    badRowError: answers.at(-1).error ?? null,
  };
}

function numericFeature(manifest) {
  return manifest.features.find((feature) => feature.type === 'number').name;
}

function checkManifest(manifest, config, columns) {
  const problems = [];
  if (!['node', 'python'].includes(manifest.runtime)) problems.push(`runtime ${manifest.runtime}`);
  if (manifest.task !== config.task) problems.push(`task ${manifest.task}, model.json says ${config.task}`);
  if (manifest.label !== config.label) problems.push(`label ${manifest.label}`);
  const expectedFeatures = config.features ?? columns.filter((c) => c !== config.label);
  if (manifest.features?.map((f) => f.name).join() !== expectedFeatures.join()) problems.push('features');
  if (config.task !== 'regression' && !Array.isArray(manifest.labels)) problems.push('no labels');
  if (problems.length) throw new Error(`cairn-model.json: ${problems.join('; ')}`);
}

function accuracy(predictions, rows, manifest, label) {
  let correct = 0;
  predictions.forEach((prediction, i) => {
    const p = prediction.probabilities;
    if (!Array.isArray(p) || p.length !== manifest.labels.length)
      throw new Error(`row ${i}: no probabilities`);
    const total = p.reduce((sum, x) => sum + x, 0);
    if (Math.abs(total - 1) > 1e-6 || p.some((x) => x < 0)) throw new Error(`row ${i}: probabilities ${p}`);
    if (prediction.label !== manifest.labels[p.indexOf(Math.max(...p))]) {
      throw new Error(`row ${i}: label ${prediction.label} is not the most probable class`);
    }
    // Labels are numbers when every label is numeric; the CSV rows hold their text.
    if (String(prediction.label) === rows[i][label] || prediction.label === Number(rows[i][label]))
      correct += 1;
  });
  return correct / rows.length;
}

function sameFiles(dirA, dirB) {
  const names = fs.readdirSync(dirA).sort();
  if (names.join() !== fs.readdirSync(dirB).sort().join()) return false;
  return names.every((name) =>
    fs.readFileSync(path.join(dirA, name)).equals(fs.readFileSync(path.join(dirB, name))),
  );
}

function hasSklearn() {
  return spawnSync(python, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' }).status === 0;
}

async function checkModel(name, sync) {
  const modelDir = path.join(examplesDir, 'models', name);
  const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  const runtime = config.train.command.includes('python') ? 'python' : 'node';
  checkCode(modelDir, runtime, config, sync);
  if (runtime === 'python' && !hasSklearn()) {
    throw new Error(
      `${python} has no scikit-learn or numpy: run apt-get install -y python3-sklearn python3-numpy`,
    );
  }

  const datasetFiles = {};
  for (const dataset of config.datasets) {
    const datasetDir = path.join(examplesDir, 'datasets', dataset);
    const spec = JSON.parse(fs.readFileSync(path.join(datasetDir, 'dataset.json'), 'utf8'));
    datasetFiles[dataset] = path.join(datasetDir, spec.data);
  }
  const text = fs.readFileSync(datasetFiles[config.datasets[0]], 'utf8');
  const rows = parse(text, { columns: true, skip_empty_lines: true });
  const columns = Object.keys(rows[0]);
  const { train: trainRows, test: testRows } = stratifiedSplit(
    rows,
    config.label,
    config.split?.test ?? 0.2,
    config.seed ?? 42,
  );

  const filesBefore = fs.readdirSync(modelDir, { recursive: true }).sort().join();
  const first = train(modelDir, config, trainRows, columns, datasetFiles);
  const second = train(modelDir, config, trainRows, columns, datasetFiles);
  const filesAfter = fs.readdirSync(modelDir, { recursive: true }).sort().join();
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(first.outputDir, 'cairn-model.json'), 'utf8'));
    checkManifest(manifest, config, columns);
    const batches = [testRows, trainRows].map((part) =>
      part.map((row) => requestRow(row, manifest.features)),
    );
    const { results, badRowError } = await predictAll(first.outputDir, manifest, batches);
    if (!badRowError)
      throw new Error('a non-numeric value for a number feature was not reported as an error');
    const testAccuracy = accuracy(results[0], testRows, manifest, config.label);
    const trainAccuracy = accuracy(results[1], trainRows, manifest, config.label);
    const gate = config.gates?.accuracy?.min;
    const problems = [];
    if (gate !== undefined && testAccuracy < gate)
      problems.push(`test accuracy ${testAccuracy} < gate ${gate}`);
    if (Math.abs(trainAccuracy - first.metrics.train_accuracy) > 1e-9) {
      problems.push(
        `train reported train_accuracy ${first.metrics.train_accuracy}, the artifact gives ${trainAccuracy}`,
      );
    }
    if (first.metrics.n_train !== trainRows.length) problems.push(`n_train ${first.metrics.n_train}`);
    if (!sameFiles(first.outputDir, second.outputDir)) problems.push('two trainings with one seed differ');
    if (filesAfter !== filesBefore) problems.push(`training wrote into ${modelDir}`);
    if (problems.length) throw new Error(problems.join('; '));
    return {
      name,
      runtime,
      algorithm: config.params?.algorithm,
      rows: `${trainRows.length}/${testRows.length}`,
      testAccuracy,
      trainAccuracy,
      seconds: Math.max(first.seconds, second.seconds),
      cpuSeconds: first.cpuSeconds === null ? null : Math.max(first.cpuSeconds, second.cpuSeconds),
    };
  } finally {
    fs.rmSync(first.work, { recursive: true, force: true });
    fs.rmSync(second.work, { recursive: true, force: true });
  }
}

/**
 * Runs each model's own tests (model.spec.mjs, test_model.py) the way the `test` target does
 * (docs/testing.md): on synthetic data made from the first dataset's validation spec, plain and
 * edge cases, in CAIRN_SYNTH_FILE and CAIRN_SYNTH_EDGE_FILE. The node models share one vitest
 * process (one project per model, plus the features library's tests), so the suite costs one
 * vitest start-up, not one per model.
 * Needs the built @cairn/validate (`npx tsc -b tsconfig.build.json`). Returns model → error.
 */
async function runModelTests(names) {
  let validate;
  try {
    validate = await import('@cairn/validate');
  } catch (error) {
    throw new Error(
      `cannot load @cairn/validate (${error.message}): build it first, npx tsc -b tsconfig.build.json`,
    );
  }
  const { parseDatasetSpec, writeSyntheticDataset } = validate;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-example-tests-'));
  const failures = new Map();
  try {
    const projects = [];
    for (const name of names) {
      const modelDir = path.join(examplesDir, 'models', name);
      const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
      const datasetFile = path.join(examplesDir, 'datasets', config.datasets[0], 'dataset.json');
      const dataset = JSON.parse(fs.readFileSync(datasetFile, 'utf8'));
      const spec = parseDatasetSpec(
        {
          format: 'csv',
          ...(dataset.label ? { label: { column: dataset.label } } : {}),
          ...dataset.validation,
        },
        datasetFile,
      );
      const seed = config.seed ?? 42;
      const env = {
        CAIRN_SYNTH_FILE: path.join(work, `${name}.csv`),
        CAIRN_SYNTH_EDGE_FILE: path.join(work, `${name}.edge-cases.csv`),
        CAIRN_LABEL: config.label,
        CAIRN_TASK: config.task,
        CAIRN_SEED: String(seed),
      };
      await writeSyntheticDataset(spec, env.CAIRN_SYNTH_FILE, { seed });
      await writeSyntheticDataset(spec, env.CAIRN_SYNTH_EDGE_FILE, { seed, edgeCases: true });
      if (config.train.command.includes('python')) {
        const result = spawnSync(python, ['-B', '-m', 'unittest', 'test_model'], {
          cwd: modelDir,
          env: { ...cleanEnv, ...env },
          encoding: 'utf8',
        });
        if (result.status !== 0) failures.set(name, `test_model.py failed:\n${result.stderr}`);
      } else {
        projects.push({ test: { name, root: modelDir, include: ['*.spec.mjs'], env } });
      }
    }
    // The shared features library's tests run in the same process.
    projects.push({
      test: { name: 'features', root: path.join(examplesDir, 'libs', 'features'), include: ['*.spec.mjs'] },
    });
    {
      const configFile = path.join(work, 'vitest.config.mjs');
      const resultsFile = path.join(work, 'results.json');
      fs.writeFileSync(configFile, `export default ${JSON.stringify({ test: { projects } })};\n`);
      const vitest = spawnSync(
        process.execPath,
        [
          path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          '--config',
          configFile,
          '--reporter=json',
          `--outputFile=${resultsFile}`,
        ],
        { cwd: work, env: cleanEnv, encoding: 'utf8' },
      );
      const results = fs.existsSync(resultsFile)
        ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')).testResults
        : [];
      for (const { test } of projects) {
        const own = results.filter((result) => path.dirname(result.name) === test.root);
        const failed = own.flatMap((result) => result.assertionResults.filter((a) => a.status !== 'passed'));
        if (own.length === 0 || own.some((result) => result.status !== 'passed')) {
          const why = failed.map((a) => `${a.title}: ${a.failureMessages.join(' ')}`).join('; ');
          failures.set(test.name, `model.spec.mjs failed: ${why || `${vitest.stdout}${vitest.stderr}`}`);
        }
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failures.size === 0)
    console.log(`model tests on synthetic data: ${names.length} model(s) and the features library passed`);
  return failures;
}

async function main() {
  const args = process.argv.slice(2);
  const sync = args.includes('--sync');
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  const all = fs.readdirSync(path.join(examplesDir, 'models')).filter((name) => {
    return fs.existsSync(path.join(examplesDir, 'models', name, 'model.json'));
  });
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length) {
    console.error(`unknown model(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
    process.exit(2);
  }
  // predict.cjs resolves the ml.js libraries from the working directory: the repo's.
  process.chdir(repoRoot);
  let failures = 0;
  const table = [
    [
      'model',
      'runtime',
      'algorithm',
      'train/test rows',
      'test acc',
      'train acc',
      'train s',
      'cpu s',
      'result',
    ],
  ];
  const names = wanted.length ? wanted : all;
  const testFailures = await runModelTests(names);
  for (const name of names) {
    try {
      if (testFailures.has(name)) throw new Error(testFailures.get(name));
      const r = await checkModel(name, sync);
      const slow = (r.cpuSeconds ?? r.seconds) > FAST_SECONDS ? ` (slow: > ${FAST_SECONDS}s)` : '';
      table.push([
        name,
        r.runtime,
        r.algorithm,
        r.rows,
        r.testAccuracy.toFixed(3),
        r.trainAccuracy.toFixed(3),
        r.seconds.toFixed(2),
        r.cpuSeconds === null ? '' : r.cpuSeconds.toFixed(2),
        `ok${slow}`,
      ]);
    } catch (error) {
      failures += 1;
      table.push([name, '', '', '', '', '', '', '', `FAILED: ${error.message}`]);
    }
  }
  if (testFailures.has('features')) {
    failures += 1;
    table.push(['features (lib)', '', '', '', '', '', '', '', `FAILED: ${testFailures.get('features')}`]);
  }
  const widths = table[0].map((_, c) =>
    Math.max(...table.map((row) => String(row[c]).split('\n')[0].length)),
  );
  for (const row of table) console.log(row.map((cell, c) => String(cell).padEnd(widths[c])).join('  '));
  if (failures) {
    console.error(`${failures} model(s) failed`);
    process.exitCode = 1;
  }
}

await main();
