#!/usr/bin/env node
// Runs every benchmark in this folder, one after the other (`npm run bench`).
// Each prints its own ratios against its peer; see docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Scripts that draw a benchmark's results rather than measure: each runs right after its benchmark.
const chartOf = { 'growth.mjs': 'growth-chart.mjs' };
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((file) => file.endsWith('.mjs') && file !== 'run.mjs' && !Object.values(chartOf).includes(file))
  .filter((file) => only.length === 0 || only.includes(file.replace(/\.mjs$/, '')));
let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script} ===`);
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
  else if (chartOf[script]) {
    const drawn = spawnSync(process.execPath, [join(here, chartOf[script])], { stdio: 'inherit' });
    if (drawn.status !== 0) failed += 1;
  }
}
process.exitCode = failed ? 1 : 0;
