#!/usr/bin/env node
// Experiment tracking at scale (issue 12): 10,000 records written by Cairn's
// own recorder into refs/cairn/exps/…, then `cairn exp list` filtering and
// sorting them, against `git log` reading the same refs (the floor any
// git-stored tracker pays to see every record, before any parsing).
//
//   node tools/bench/experiments.mjs            (needs `npm run build`)
//   BENCH_RECORDS=2000 node tools/bench/experiments.mjs
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitEnv, mulberry32, timeOnce } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cairnBin = join(repo, 'packages', 'cli', 'bin', 'cairn.js');
const require = createRequire(import.meta.url);
const { recordExperiment, newExperimentId } = require(
  join(repo, 'packages', 'experiments', 'dist', 'index.js'),
);
const count = Number(process.env.BENCH_RECORDS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const root = mkdtempSync(join(tmpdir(), 'cairn-bench-exps-'));
try {
  timeOnce(['git', 'init', '-q', '-b', 'main', root], { env: gitEnv });
  writeFileSync(join(root, 'nx.json'), '{}');
  mkdirSync(join(root, '.cairn'));
  writeFileSync(join(root, '.cairn', 'config.json'), '{}');

  const random = mulberry32(12);
  const writeStart = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const created = new Date(Date.UTC(2025, 0, 1) + i * 60_000);
    await recordExperiment(root, {
      id: newExperimentId(created),
      project: `model-${i % 20}`,
      kind: i % 10 === 0 ? 'evaluate' : 'trial',
      status: random() < 0.05 ? 'failed' : 'succeeded',
      created: created.toISOString(),
      durationMs: Math.round(random() * 60_000),
      params: {
        depth: 1 + Math.floor(random() * 12),
        lr: Number((10 ** (-4 + 3 * random())).toPrecision(4)),
        model: random() < 0.5 ? 'forest' : 'logreg',
      },
      metrics: { accuracy: random(), f1_macro: random(), loss: random() * 2 },
      data: { iris: 'ab'.repeat(32) },
      commit: 'c'.repeat(40),
      host: 'bench',
      artifacts: ['d'.repeat(64)],
      steps: { loss: Array.from({ length: 10 }, (_, step) => ({ step, value: random() })) },
    });
  }
  const writeSeconds = Number(process.hrtime.bigint() - writeStart) / 1e9;
  console.log(
    `wrote ${count} records in ${writeSeconds.toFixed(2)} s (${Math.round(count / writeSeconds)} records/s)`,
  );

  const query = [
    'exp',
    'list',
    '--where',
    "metrics.accuracy > 0.5 and params.model = 'forest' and status = succeeded",
    '--sort-by',
    'f1_macro:desc',
    '--limit',
    '20',
    '--json',
  ];
  const cold = timeOnce([process.execPath, cairnBin, ...query], { cwd: root });
  console.log(`cairn exp list, first run (index built from ${count} refs): ${cold.seconds.toFixed(3)} s`);
  const best = (argv, options) => {
    const times = [];
    let stdout = '';
    for (let round = 0; round < rounds; round++) {
      const run = timeOnce(argv, options);
      times.push(run.seconds);
      stdout = run.stdout;
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)], stdout };
  };
  const warm = best([process.execPath, cairnBin, ...query], { cwd: root });
  const selected = JSON.parse(warm.stdout);
  if (selected.length !== 20) throw new Error(`expected 20 records, got ${selected.length}`);
  const gitLog = best(['git', 'log', '--no-walk=unsorted', '--glob=refs/cairn/exps', '--format=%H %b'], {
    cwd: root,
    env: gitEnv,
  });
  const lines = gitLog.stdout
    .split('\n')
    .filter((line) => line.startsWith('{') || /^[0-9a-f]{40} \{/.test(line));
  if (lines.length !== count) throw new Error(`git log listed ${lines.length} records, expected ${count}`);
  const forEachRef = best(['git', 'for-each-ref', 'refs/cairn/exps'], { cwd: root, env: gitEnv });
  const nodeStart = best([process.execPath, '-e', '0'], {});
  console.log(
    `cairn exp list, warm index, filter + sort + limit (median of ${rounds}): ${warm.median.toFixed(3)} s`,
  );
  console.log(`git log --no-walk over the same ${count} refs (no filtering): ${gitLog.median.toFixed(3)} s`);
  console.log(
    `git for-each-ref (names only): ${forEachRef.median.toFixed(3)} s; node -e 0: ${nodeStart.median.toFixed(3)} s`,
  );
  console.log(
    `ratio cairn / git log: ${(warm.median / gitLog.median).toFixed(2)}×; cold: ${(cold.seconds / gitLog.median).toFixed(2)}×`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
