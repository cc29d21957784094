#!/usr/bin/env node
// Benchmark: @cairn/explain's TreeSHAP (Lundberg et al.'s polynomial algorithm)
// against its oracle, exact Shapley values by enumerating all 2^M feature
// subsets with the same value function, on a 100-tree ml-random-forest
// regressor. Both give the same numbers (checked here too); the ratio is the
// speed-up that makes TreeSHAP usable per request.
//
//   npm run build && node tools/bench/explain.mjs
//
// Env: BENCH_TREES (default 100), BENCH_FEATURES (default 10, the oracle is
//      2^M), BENCH_ROWS (rows explained, default 10), BENCH_ROUNDS (default 3).
// Timing is in-process, explanation only (the forest is trained and converted
// before the clock starts); best of the rounds for each side.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const explain = require('@cairn/explain');
const { RandomForestRegression } = require('ml-random-forest');

const trees = Number(process.env.BENCH_TREES ?? 100);
const features = Number(process.env.BENCH_FEATURES ?? 10);
const explained = Number(process.env.BENCH_ROWS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const random = mulberry32(16);
const X = Array.from({ length: 400 }, () => Array.from({ length: features }, () => random() * 4 - 2));
const y = X.map(
  (r) => 2 * r[0] - r[1] * r[2] + (r[3] > 0 ? 1.5 : -0.5) + Math.sin(r[4] ?? 0) + 0.1 * random(),
);
const forest = new RandomForestRegression({
  nEstimators: trees,
  maxFeatures: 0.8,
  seed: 3,
  treeOptions: { maxDepth: 8 },
  noOOB: true,
});
forest.train(X, y);
const ensemble = explain.fromMlRandomForest(JSON.parse(JSON.stringify(forest.toJSON())), features, X);
const rows = X.slice(0, explained);
let leaves = 0;
const countLeaves = (node) => ('value' in node ? 1 : countLeaves(node.left) + countLeaves(node.right));
for (const tree of ensemble.trees) leaves += countLeaves(tree);

function best(fn) {
  let min = Infinity;
  let result;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    result = fn();
    min = Math.min(min, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: min, result };
}

const fast = best(() => rows.map((x) => explain.treeShap(ensemble, x)));
const brute = best(() => rows.map((x) => explain.bruteForceTreeShapley(ensemble, x)));
let maxDiff = 0;
fast.result.forEach((e, i) =>
  e.values.forEach((v, f) => (maxDiff = Math.max(maxDiff, Math.abs(v - brute.result[i].values[f])))),
);
console.log(
  `forest: ${trees} trees, ${leaves} leaves, ${features} features; ${explained} rows explained; best of ${rounds}`,
);
console.log(
  `TreeSHAP      ${(fast.seconds * 1000).toFixed(1)} ms (${((fast.seconds / explained) * 1000).toFixed(2)} ms/row)`,
);
console.log(`brute force   ${(brute.seconds * 1000).toFixed(1)} ms (2^${features} subsets)`);
console.log(
  `ratio TreeSHAP / brute force: ${(fast.seconds / brute.seconds).toFixed(4)}× (${(brute.seconds / fast.seconds).toFixed(0)} times faster); max |difference| ${maxDiff.toExponential(2)}`,
);
if (maxDiff > 1e-9) {
  console.error('TreeSHAP and the brute-force oracle disagree');
  process.exitCode = 1;
}
