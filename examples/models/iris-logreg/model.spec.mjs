// Tests of this model's code on synthetic data (docs/testing.md). `nx run <model>:test` (or
// `cairn task test <model>`) runs them with CAIRN_SYNTH_FILE, rows made from the dataset's
// validation spec, and CAIRN_SYNTH_EDGE_FILE, its edge cases: every declared boundary, nulls
// where allowed, a rare class. No real data and no full training: they take seconds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fitPreprocessing, readRows } from './train.mjs';

const require = createRequire(import.meta.url);
const { encodeRow, load } = require('./predict.cjs');
const here = path.dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(fs.readFileSync(path.join(here, 'model.json'), 'utf8'));
const label = process.env.CAIRN_LABEL ?? config.label;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'model-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function synthetic(variable) {
  const file = process.env[variable];
  if (!file) throw new Error(`${variable} is not set: run these tests with \`nx run <model>:test\``);
  return readRows(file);
}

const rows = synthetic('CAIRN_SYNTH_FILE');
const edgeRows = synthetic('CAIRN_SYNTH_EDGE_FILE');
const featureNames = config.features ?? Object.keys(rows[0]).filter((column) => column !== label);

/** Runs train.mjs as Cairn does (docs/model-contract.md) and returns its artifact folder. */
function trainOn(file, name) {
  const outputDir = path.join(scratch, name);
  const result = spawnSync(process.execPath, ['train.mjs'], {
    cwd: here,
    encoding: 'utf8',
    env: {
      ...process.env,
      CAIRN_TRAIN_FILE: file,
      CAIRN_OUTPUT_DIR: outputDir,
      CAIRN_METRICS_FILE: path.join(scratch, `${name}-metrics.json`),
      CAIRN_ENVIRONMENT_FILE: '',
    },
  });
  expect(result.status, result.stderr).toBe(0);
  return outputDir;
}

let artifactDir;
/** The artifact trained once on the synthetic data, shared by the tests that need one. */
function trained() {
  artifactDir ??= trainOn(process.env.CAIRN_SYNTH_FILE, 'artifact');
  return artifactDir;
}

describe('model code on synthetic data', () => {
  it('loads the training data with the label and every feature', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const column of [label, ...featureNames]) expect(Object.keys(rows[0])).toContain(column);
  });

  it('encodes every row, edge cases included, as a finite vector of one length', () => {
    const preprocessing = fitPreprocessing(rows, featureNames, true);
    const width = encodeRow(rows[0], preprocessing).length;
    expect(width).toBeGreaterThan(0);
    for (const row of [...rows, ...edgeRows]) {
      const vector = encodeRow(row, preprocessing);
      expect(vector).toHaveLength(width);
      expect(vector.every(Number.isFinite)).toBe(true);
    }
  });

  it('trains an artifact that loads and predicts a known label for every edge case', async () => {
    const dir = trained();
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cairn-model.json'), 'utf8'));
    const predictions = (await load(dir)).predict(edgeRows);
    expect(predictions).toHaveLength(edgeRows.length);
    for (const prediction of predictions) {
      if (manifest.task === 'regression') expect(Number.isFinite(prediction.label)).toBe(true);
      else expect(manifest.labels).toContain(prediction.label);
    }
  });

  it('trains the same model again from the same seed', () => {
    const estimator = (dir) => fs.readFileSync(path.join(dir, 'estimator.json'), 'utf8');
    expect(estimator(trainOn(process.env.CAIRN_SYNTH_FILE, 'again'))).toBe(estimator(trained()));
  });
});
