#!/usr/bin/env node
// Benchmark: @cairn/metrics against scikit-learn 1.2.1 on the same 1,000,000-row CSV.
//
//   npm run build && node tools/bench/metrics.mjs
//
// Env: BENCH_ROWS (default 1000000), BENCH_ROUNDS (default 5 per session),
//      BENCH_SESSIONS (default 3: cairn rounds and a python process with its
//      rounds alternate, so both sides see the same machine load),
//      BENCH_PYTHON (default /usr/bin/python3, which has scikit-learn 1.2.1).
// Data is generated once under /tmp/cairn-bench-metrics and reused.
//
// Timing is in-process on both sides and covers the metric calls only:
// cairn calls the library on columns already parsed from the CSV (label
// encoding, validation and sorting are inside the timed call), scikit-learn
// is timed with time.perf_counter around roc_auc_score / f1_score /
// log_loss on numpy arrays already loaded. CSV parse time is reported on
// its own for both. We report the best (min) and the median round.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const metrics = require('@cairn/metrics');
const table = require('@cairn/table');

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const sessions = Number(process.env.BENCH_SESSIONS ?? 3);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const dataDir = '/tmp/cairn-bench-metrics';
mkdirSync(dataDir, { recursive: true });

/** Binary predictions: 30% positives, a noisy score with 6 decimals (so there are ties), y_pred = score >= 0.5. */
function ensureCsv() {
  const file = join(dataDir, `binary-${rows}.csv`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  process.stderr.write(`generating ${rows} rows in ${file}\n`);
  const random = mulberry32(42);
  const lines = ['y_true,y_pred,score'];
  for (let i = 0; i < rows; i++) {
    const positive = random() < 0.3 ? 1 : 0;
    const score = Math.min(1, Math.max(0, 0.35 * positive + 0.65 * random()));
    const rounded = Math.round(score * 1e6) / 1e6;
    lines.push(`${positive},${rounded >= 0.5 ? 1 : 0},${rounded}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timeIt(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

const PY = String.raw`
import json, sys, time, warnings
import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score, f1_score, log_loss
warnings.simplefilter("ignore")
path, rounds = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
data = np.loadtxt(path, delimiter=",", skiprows=1)
parse = time.perf_counter() - t
y_true = data[:, 0].astype(np.int64)
y_pred = data[:, 1].astype(np.int64)
score = np.ascontiguousarray(data[:, 2])
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "parse": parse}
for name, fn in [("roc_auc", lambda: roc_auc_score(y_true, score)),
                 ("f1_macro", lambda: f1_score(y_true, y_pred, average="macro")),
                 ("log_loss", lambda: log_loss(y_true, score))]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter(); value = fn(); times.append(time.perf_counter() - t)
    out[name] = {"times": times, "value": float(value)}
print(json.dumps(out))
`;

const file = ensureCsv();
const sizeMB = statSync(file).size / 1e6;

const parseTimes = [];
let input;
for (let r = 0; r < Math.min(rounds, 3); r++) {
  const { seconds, value } = timeIt(() => metrics.metricsInputFromCsv(table.readCsvColumns(file), { file }));
  parseTimes.push(seconds);
  input = value;
}
const { yTrue, yPred, score } = input;

const cases = {
  roc_auc: () => metrics.rocAucScore(yTrue, score),
  f1_macro: () => metrics.f1Score(yTrue, yPred, { average: 'macro' }),
  log_loss: () => metrics.logLoss(yTrue, score),
};
const cairnTimes = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const cairnValues = {};
const skTimes = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const skParse = [];
let sk;
for (let session = 0; session < sessions; session++) {
  for (const [name, fn] of Object.entries(cases)) {
    fn(); // warm-up (JIT)
    for (let r = 0; r < rounds; r++) {
      const t = timeIt(fn);
      cairnTimes[name].push(t.seconds);
      cairnValues[name] = t.value;
    }
  }
  sk = JSON.parse(
    execFileSync(python, ['-c', PY, file, String(rounds)], { encoding: 'utf8', maxBuffer: 1 << 20 }),
  );
  skParse.push(sk.parse);
  for (const name of Object.keys(cases)) skTimes[name].push(...sk[name].times);
}
const fullReport = median(
  Array.from(
    { length: 3 },
    () => timeIt(() => metrics.computeMetrics({ task: 'binary', yTrue, yPred, score })).seconds,
  ),
);

const lines = [];
lines.push(
  `rows: ${rows} (${sizeMB.toFixed(1)} MB CSV), ${sessions} sessions × ${rounds} rounds, node ${process.version}, scikit-learn ${sk.sklearn}, numpy ${sk.numpy}`,
);
lines.push(
  `CSV parse (median): cairn ${median(parseTimes).toFixed(3)} s (readCsvColumns + metricsInputFromCsv), numpy.loadtxt ${median(skParse).toFixed(3)} s`,
);
lines.push('');
lines.push(
  '| metric | cairn best / median (s) | scikit-learn best / median (s) | ratio (median) | ratio (best) | target | values agree |',
);
lines.push('|---|--:|--:|--:|--:|--:|:-:|');
let allMet = true;
for (const name of Object.keys(cases)) {
  const c = cairnTimes[name];
  const s = skTimes[name];
  const ratio = median(c) / median(s);
  const ratioBest = Math.min(...c) / Math.min(...s);
  if (ratio > 1) allMet = false;
  const expected = sk[name].value;
  const value = cairnValues[name];
  const agree = Math.abs(value - expected) <= Math.max(1e-9 * Math.abs(expected), 1e-12);
  lines.push(
    `| ${name} | ${Math.min(...c).toFixed(4)} / ${median(c).toFixed(4)} | ${Math.min(...s).toFixed(4)} / ${median(s).toFixed(4)} | ${ratio.toFixed(2)}× | ${ratioBest.toFixed(2)}× | ≤ 1.0× | ${agree ? 'yes' : `NO (${value} vs ${expected})`} |`,
  );
}
lines.push('');
lines.push(
  `full cairn binary report (every contract metric, labels encoded once): ${fullReport.toFixed(3)} s (median of 3)`,
);
lines.push(`target ≤ 1.0× scikit-learn per metric (median ratio): ${allMet ? 'met' : 'NOT met'}`);
process.stdout.write(`${lines.join('\n')}\n`);
