#!/usr/bin/env node
// Benchmark: @cairn/drift's two-sample KS test and PSI against scipy 1.10.1
// (`scipy.stats.ks_2samp`) and numpy (Evidently's PSI binning) on two
// 1,000,000-row numerical columns.
//
//   npm run build && node tools/bench/drift.mjs
//
// Env: BENCH_ROWS (default 1000000), BENCH_ROUNDS (default 3 per session),
//      BENCH_SESSIONS (default 2: cairn rounds and a python process with its
//      rounds alternate, so both sides see the same machine load),
//      BENCH_PYTHON (default /usr/bin/python3, which has scipy 1.10.1).
// Data (float64, little-endian) is generated once under /tmp/cairn-bench-drift.
//
// Timing is in-process on both sides and covers the computation only: cairn
// calls ks2samp / psi on Float64Arrays already in memory (validation, copy and
// sort are inside the timed call); python times ks_2samp and the numpy PSI
// with time.perf_counter on arrays already loaded with np.fromfile.
// Two scenarios: "same" (both columns from N(0, 1): the p-value comes from the
// Pelz-Good / Durbin branch) and "drift" (current from N(0.01, 1): the
// p-value comes from the exact one-sided Smirnov sum over ~500,000 terms).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 as rng } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const drift = require('@cairn/drift');

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const sessions = Number(process.env.BENCH_SESSIONS ?? 2);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const dataDir = '/tmp/cairn-bench-drift';
mkdirSync(dataDir, { recursive: true });

function column(name, seed, mean) {
  const file = join(dataDir, `${name}-${rows}.f64`);
  if (!existsSync(file) || statSync(file).size !== rows * 8) {
    const random = rng(seed);
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      values[i] = mean + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    }
    writeFileSync(file, Buffer.from(values.buffer));
  }
  const buf = readFileSync(file);
  return { file, values: new Float64Array(buf.buffer, buf.byteOffset, rows) };
}

const reference = column('reference', 1, 0);
const scenarios = [
  { name: 'same', current: column('current-same', 2, 0) },
  { name: 'drift', current: column('current-drift', 3, 0.01) },
];

const PY = String.raw`
import json, sys, time
import numpy as np
from scipy import stats
rounds = int(sys.argv[1])
ref = np.fromfile(sys.argv[2], dtype="<f8")
out = {}
def psi(ref, cur):
    # Evidently 0.4 get_binned_data (numerical, > 20 distinct) + psi, in numpy.
    if np.unique(ref).size > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
    else:
        raise SystemExit("benchmark data must be continuous")
    for p in (rp, cp):
        m = min(p[p != 0])
        np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return float(np.sum((rp - cp) * np.log(rp / cp)))
for name, path in zip(sys.argv[3::2], sys.argv[4::2]):
    cur = np.fromfile(path, dtype="<f8")
    ks_t, psi_t = [], []
    for _ in range(rounds):
        t = time.perf_counter(); r = stats.ks_2samp(ref, cur); ks_t.append(time.perf_counter() - t)
        t = time.perf_counter(); p = psi(ref, cur); psi_t.append(time.perf_counter() - t)
    out[name] = {"ks": ks_t, "psi": psi_t, "statistic": float(r.statistic), "pvalue": float(r.pvalue), "psi_value": p}
print(json.dumps(out))
`;

const times = {};
for (const s of scenarios) times[s.name] = { cairnKs: [], cairnPsi: [], scipyKs: [], numpyPsi: [] };
const answers = {};

for (let session = 0; session < sessions; session++) {
  for (const s of scenarios) {
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      const ks = drift.ks2samp(reference.values, s.current.values);
      times[s.name].cairnKs.push((performance.now() - t) / 1000);
      t = performance.now();
      const psiValue = drift.psi(reference.values, s.current.values);
      times[s.name].cairnPsi.push((performance.now() - t) / 1000);
      answers[s.name] = {
        ...answers[s.name],
        cairn: { statistic: ks.statistic, pValue: ks.pValue, psi: psiValue },
      };
    }
  }
  const args = [String(rounds), reference.file, ...scenarios.flatMap((s) => [s.name, s.current.file])];
  const py = JSON.parse(execFileSync(python, ['-c', PY, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  for (const s of scenarios) {
    times[s.name].scipyKs.push(...py[s.name].ks);
    times[s.name].numpyPsi.push(...py[s.name].psi);
    answers[s.name].python = {
      statistic: py[s.name].statistic,
      pValue: py[s.name].pvalue,
      psi: py[s.name].psi_value,
    };
  }
}

const min = (xs) => Math.min(...xs);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => `${(x * 1000).toFixed(0)} ms`;
const rel = (a, b) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

console.log(
  `drift benchmark: ${rows.toLocaleString('en-US')} rows per column, ${sessions} sessions x ${rounds} rounds`,
);
for (const s of scenarios) {
  const t = times[s.name];
  const a = answers[s.name];
  console.log(
    `\nscenario "${s.name}": D = ${a.cairn.statistic}, p = ${a.cairn.pValue}, PSI = ${a.cairn.psi}`,
  );
  console.log(
    `  agreement with python: D rel ${rel(a.cairn.statistic, a.python.statistic).toExponential(1)}, p rel ${rel(a.cairn.pValue, a.python.pValue).toExponential(1)}, PSI rel ${rel(a.cairn.psi, a.python.psi).toExponential(1)}`,
  );
  console.log(`  KS   cairn  best ${fmt(min(t.cairnKs))}  median ${fmt(median(t.cairnKs))}`);
  console.log(`  KS   scipy  best ${fmt(min(t.scipyKs))}  median ${fmt(median(t.scipyKs))}`);
  console.log(
    `  KS   ratio cairn/scipy: best ${(min(t.cairnKs) / min(t.scipyKs)).toFixed(2)}x  median ${(median(t.cairnKs) / median(t.scipyKs)).toFixed(2)}x  (target <= 1.0x)`,
  );
  console.log(`  PSI  cairn  best ${fmt(min(t.cairnPsi))}  median ${fmt(median(t.cairnPsi))}`);
  console.log(`  PSI  numpy  best ${fmt(min(t.numpyPsi))}  median ${fmt(median(t.numpyPsi))}`);
  console.log(
    `  PSI  ratio cairn/numpy: best ${(min(t.cairnPsi) / min(t.numpyPsi)).toFixed(2)}x  median ${(median(t.cairnPsi) / median(t.numpyPsi)).toFixed(2)}x  (target <= 1.0x)`,
  );
}
