// A tiny Cairn workspace with a real training command, shared by the specs
// that train and evaluate for real (the pipeline's and the plugin's
// executors'). It writes files only: the caller stores the data (`add`) and
// commits, with whichever package it tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// A trainer obeying docs/model-contract.md that predicts the majority class of its training rows.
const TRAINER = `
const { appendFileSync, copyFileSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
// Per-step values, as the templates' one-line helper logs them.
for (let step = 1; step <= 3; step++) appendFileSync(process.env.CAIRN_STEPS_FILE, JSON.stringify({ step, loss: 1 / step }) + '\\n');
const [header, ...lines] = readFileSync(process.env.CAIRN_TRAIN_FILE, 'utf8').trim().split('\\n');
const labelIndex = header.split(',').indexOf(process.env.CAIRN_LABEL);
const counts = {};
for (const line of lines) { const l = line.split(',')[labelIndex]; counts[l] = (counts[l] || 0) + 1; }
const labels = Object.keys(counts).sort();
const out = process.env.CAIRN_OUTPUT_DIR;
writeFileSync(join(out, 'shares.json'), JSON.stringify(labels.map((l) => counts[l] / lines.length)));
copyFileSync(join(__dirname, 'predict.cjs'), join(out, 'predict.cjs'));
writeFileSync(join(out, 'cairn-model.json'), JSON.stringify({ runtime: 'node', entry: 'predict.cjs', task: process.env.CAIRN_TASK, label: process.env.CAIRN_LABEL, labels, features: [{ name: 'x', type: 'number' }, { name: 'y', type: 'number' }] }));
writeFileSync(process.env.CAIRN_METRICS_FILE, JSON.stringify({ n_train: lines.length, params: JSON.parse(readFileSync(process.env.CAIRN_PARAMS_FILE, 'utf8')) }));
console.log('trained on ' + lines.length + ' rows');
`;
const PREDICTOR = `
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
exports.load = async (dir) => {
  const manifest = JSON.parse(readFileSync(join(dir, 'cairn-model.json'), 'utf8'));
  const shares = JSON.parse(readFileSync(join(dir, 'shares.json'), 'utf8'));
  const best = manifest.labels[shares.indexOf(Math.max(...shares))];
  return { predict: (rows) => rows.map(() => ({ label: best, probabilities: shares })) };
};
`;

export function writeWorkspaceFile(root: string, file: string, content: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

/** Runs git in `root` with a fixed identity; its output, trimmed. */
export function gitIn(root: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t.invalid',
      // No user or system config: the same git on every machine.
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();
}

/** 100 rows, 70 of class "a": x tracks the class, so a shifted x is drift. */
export function pointsCsv(shift = 0): string {
  const lines = ['x,y,label'];
  for (let i = 0; i < 100; i++)
    lines.push(`${(i % 10) + shift + (i < 70 ? 0 : 5)},${(i * 37) % 11},${i < 70 ? 'a' : 'b'}`);
  return `${lines.join('\n')}\n`;
}

/** The config of model `m`: trains on `points` with the majority-class trainer. */
export const POINTS_MODEL = {
  datasets: ['points'],
  label: 'label',
  task: 'binary',
  train: { command: 'node train.cjs' },
  params: { depth: 2 },
  seed: 7,
  gates: { accuracy: { min: 0.5, max_regression: 0.01 } },
};

/**
 * nx.json, a .gitignore for build outputs, dataset `points`
 * (data/points/points.csv, not yet stored) and model `m` (models/m).
 */
export function writePointsWorkspace(root: string): void {
  writeWorkspaceFile(root, 'nx.json', '{}');
  // Cairn's local state is kept out of git by the .cairn/.gitignore the store's init writes.
  writeWorkspaceFile(root, '.gitignore', '/dist\n');
  writeWorkspaceFile(root, 'data/points/points.csv', pointsCsv());
  writeWorkspaceFile(
    root,
    'data/points/dataset.json',
    JSON.stringify({ data: 'points.csv', label: 'label' }),
  );
  writeWorkspaceFile(root, 'models/m/model.json', JSON.stringify(POINTS_MODEL));
  writeWorkspaceFile(root, 'models/m/train.cjs', TRAINER);
  writeWorkspaceFile(root, 'models/m/predict.cjs', PREDICTOR);
}
