import type { TestWorkspace } from './workspace';

/**
 * A tiny trainer obeying docs/model-contract.md: predicts the majority class
 * (or the mean), with class shares as probabilities. Fast, so the tests
 * measure Cairn and Nx, not machine learning. `FAIL_TRAINING=1` in its
 * model's train.env makes it exit 3 after printing a marker.
 */
export const MAJORITY_TRAINER = `
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
if (process.env.FAIL_TRAINING === '1') { console.error('trainer: deliberate failure'); process.exit(3); }
const [header, ...lines] = readFileSync(process.env.CAIRN_TRAIN_FILE, 'utf8').trim().split('\\n');
const columns = header.split(',');
const labelIndex = columns.indexOf(process.env.CAIRN_LABEL);
const counts = {};
for (const line of lines) { const label = line.split(',')[labelIndex]; counts[label] = (counts[label] ?? 0) + 1; }
const labels = Object.keys(counts).sort();
const total = lines.length;
const out = process.env.CAIRN_OUTPUT_DIR;
writeFileSync(join(out, 'model.json'), JSON.stringify({ labels, shares: labels.map((l) => counts[l] / total) }));
copyFileSync(new URL('./predict.cjs', import.meta.url), join(out, 'predict.cjs'));
writeFileSync(join(out, 'cairn-model.json'), JSON.stringify({
  runtime: 'node', entry: 'predict.cjs', task: process.env.CAIRN_TASK, label: process.env.CAIRN_LABEL, labels,
  features: columns.filter((c) => c !== process.env.CAIRN_LABEL).map((name) => ({ name, type: 'number' })),
}));
writeFileSync(process.env.CAIRN_METRICS_FILE, JSON.stringify({ n_train: total }));
console.log('trainer: trained on', total, 'rows');
`;

export const MAJORITY_PREDICTOR = `
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
exports.load = async (dir) => {
  const { labels, shares } = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const best = labels[shares.indexOf(Math.max(...shares))];
  return { predict: (rows) => rows.map(() => ({ label: best, probabilities: shares })) };
};
`;

export function datasetCsv(rows: number, seed: number): string {
  const lines = ['x,y,label'];
  for (let i = 0; i < rows; i++) {
    const value = (i * 7919 + seed * 104729) % 1000;
    lines.push(`${value / 10},${(value * 3) % 97},${value % 3 === 0 ? 'a' : 'b'}`);
  }
  return lines.join('\n');
}

export function addDataset(ws: TestWorkspace, name: string, csv: string): void {
  ws.write(`datasets/${name}/${name}.csv`, csv);
  ws.write(
    `datasets/${name}/dataset.json`,
    JSON.stringify({ data: `${name}.csv`, format: 'csv', label: 'label' }, null, 2),
  );
}

export function addModel(
  ws: TestWorkspace,
  name: string,
  config: {
    datasets: string[];
    dependsOn?: string[];
    params?: Record<string, unknown>;
    env?: Record<string, string>;
    extraCode?: string;
  },
): void {
  ws.write(
    `models/${name}/model.json`,
    JSON.stringify(
      {
        datasets: config.datasets,
        ...(config.dependsOn ? { dependsOn: config.dependsOn } : {}),
        label: 'label',
        task: 'binary',
        train: { command: 'node train.mjs', ...(config.env ? { env: config.env } : {}) },
        params: config.params ?? {},
        gates: { accuracy: { min: 0.1 } },
      },
      null,
      2,
    ),
  );
  ws.write(`models/${name}/train.mjs`, `${config.extraCode ?? ''}\n${MAJORITY_TRAINER}`);
  ws.write(`models/${name}/predict.cjs`, MAJORITY_PREDICTOR);
}
