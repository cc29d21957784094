#!/usr/bin/env node
// Search quality of the tune samplers (issue 12): the median, over seeds, of
// the best value found within the same budget on standard test functions,
// TPE vs random search (lower is better; the global minima are known).
//
//   node tools/bench/tune.mjs          (needs `npm run build`)
//   BENCH_SEEDS=40 BENCH_TRIALS=100 node tools/bench/tune.mjs
import { createRequire } from 'node:module';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { tpeSampler, randomSampler } = require(join(repo, 'packages', 'experiments', 'dist', 'index.js'));
const seeds = Number(process.env.BENCH_SEEDS ?? 30);
const trials = Number(process.env.BENCH_TRIALS ?? 100);

// Branin on [-5, 10] × [0, 15]; minimum 0.397887 at three points.
const branin = {
  name: 'Branin (2-d)',
  minimum: 0.397887,
  space: { x1: { type: 'float', low: -5, high: 10 }, x2: { type: 'float', low: 0, high: 15 } },
  f: ({ x1, x2 }) => {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

// Hartmann-6 on [0, 1]^6; minimum -3.32237.
const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));
const alpha = [1, 1.2, 3, 3.2];
const hartmann6 = {
  name: 'Hartmann-6 (6-d)',
  minimum: -3.32237,
  space: Object.fromEntries(
    Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'float', low: 0, high: 1 }]),
  ),
  f: (params) => {
    const x = Array.from({ length: 6 }, (_, i) => params[`x${i}`]);
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += A[i][j] * (x[j] - P[i][j]) ** 2;
      sum += alpha[i] * Math.exp(-inner);
    }
    return -sum;
  },
};

function bestAfter(sampler, problem) {
  const history = [];
  let best = Infinity;
  for (let t = 0; t < trials; t++) {
    const params = sampler.suggest(history);
    const value = problem.f(params);
    history.push({ params, state: 'complete', value });
    best = Math.min(best, value);
  }
  return best;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
};

console.log(`${seeds} seeds × ${trials} trials each; median best value (regret = best − global minimum)`);
for (const problem of [branin, hartmann6]) {
  const results = {};
  for (const [name, make] of [
    ['random', (seed) => randomSampler(problem.space, seed)],
    ['tpe', (seed) => tpeSampler(problem.space, seed, 'minimize')],
    ['tpe multivariate', (seed) => tpeSampler(problem.space, seed, 'minimize', { multivariate: true })],
  ]) {
    const bests = Array.from({ length: seeds }, (_, seed) => bestAfter(make(seed + 1), problem));
    results[name] = median(bests);
  }
  const regret = (v) => (v - problem.minimum).toPrecision(3);
  console.log(
    `${problem.name}: random ${results.random.toFixed(4)} (regret ${regret(results.random)}), ` +
      `TPE ${results.tpe.toFixed(4)} (regret ${regret(results.tpe)}), ` +
      `TPE multivariate ${results['tpe multivariate'].toFixed(4)} (regret ${regret(results['tpe multivariate'])}); ` +
      `random/TPE regret ratio ${((results.random - problem.minimum) / (results.tpe - problem.minimum)).toFixed(1)}×`,
  );
}
