#!/usr/bin/env node
// Benchmark: `cairn serve` throughput and p99 latency under 64 concurrent
// connections (autocannon), with metric collection on vs the same server with
// --no-metrics (the named peer), plus a bare node:http server calling the same
// model as a floor for the server's own cost.
//
//   npm run build && node tools/bench/serve.mjs
//
// Env: BENCH_SECONDS (per run, default 10), BENCH_ROUNDS (default 3),
//      BENCH_CONNECTIONS (default 64).
// The model is built under /tmp/cairn-bench-serve: a nearest-centroid
// classifier over the iris features of examples/datasets/iris (node runtime,
// in-process), with the same CSV as --reference so drift scores and class
// shares are collected too (the full metric set). Rounds alternate the
// servers (on, off, bare, on, off, bare, ...) after a warm-up, and we report
// the median of the rounds. Target: metrics overhead <= 10% of throughput.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const autocannon = require('autocannon');

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const workDir = '/tmp/cairn-bench-serve';
const cli = join(repo, 'packages', 'cli', 'bin', 'cairn.js');

// --- the model -------------------------------------------------------------
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const [, ...lines] = readFileSync(join(repo, 'examples', 'datasets', 'iris', 'iris.csv'), 'utf8')
  .trim()
  .split('\n');
const rows = lines.map((line) => {
  const cells = line.split(',');
  return { x: cells.slice(0, 4).map(Number), label: cells[4] };
});
const classes = [...new Set(rows.map((r) => r.label))];
const centroids = classes.map((label) => {
  const members = rows.filter((r) => r.label === label);
  return FEATURES.map((_, j) => members.reduce((sum, r) => sum + r.x[j], 0) / members.length);
});
const artifact = join(workDir, 'iris', 'artifact');
mkdirSync(artifact, { recursive: true });
writeFileSync(join(artifact, 'centroids.json'), JSON.stringify({ classes, features: FEATURES, centroids }));
writeFileSync(
  join(artifact, 'predict.cjs'),
  `const { readFileSync } = require('node:fs');
const { join } = require('node:path');
exports.load = async (dir) => {
  const { classes, features, centroids } = JSON.parse(readFileSync(join(dir, 'centroids.json'), 'utf8'));
  return {
    predict(rows) {
      return rows.map((row) => {
        const scores = centroids.map((c) => -Math.sqrt(c.reduce((s, v, j) => s + (row[features[j]] - v) ** 2, 0)));
        const max = Math.max(...scores);
        const exp = scores.map((s) => Math.exp(s - max));
        const total = exp.reduce((a, b) => a + b, 0);
        return { label: classes[scores.indexOf(max)], probabilities: exp.map((e) => e / total) };
      });
    },
  };
};
`,
);
writeFileSync(
  join(artifact, 'cairn-model.json'),
  JSON.stringify({
    runtime: 'node',
    entry: 'predict.cjs',
    task: 'multiclass',
    label: 'species',
    labels: classes,
    features: FEATURES.map((name) => ({ name, type: 'number' })),
  }),
);
const reference = join(workDir, 'train.csv');
writeFileSync(
  reference,
  `${[...FEATURES, 'species'].join(',')}\n${rows.map((r) => [...r.x, r.label].join(',')).join('\n')}\n`,
);
const bare = join(workDir, 'bare-server.cjs');
writeFileSync(
  bare,
  `// The floor: node:http + JSON + the same model, no validation, no metrics.
const http = require('node:http');
require(${JSON.stringify(join(artifact, 'predict.cjs'))}).load(${JSON.stringify(artifact)}).then((model) => {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const text = JSON.stringify({ predictions: await model.predict([body]) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 30000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port }) + '\\n'));
});
`,
);

// --- servers ---------------------------------------------------------------
function start(args) {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /"url":\s*"([^"]+)"/.exec(out);
      if (match) resolveStart({ child, url: match[1] });
    });
    child.on('exit', (code) => rejectStart(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

const servers = {
  'metrics on': await start([
    cli,
    'serve',
    artifact,
    '--port',
    '0',
    '--json',
    '--name',
    'iris',
    '--reference',
    reference,
  ]),
  'metrics off (--no-metrics)': await start([
    cli,
    'serve',
    artifact,
    '--port',
    '0',
    '--json',
    '--name',
    'iris',
    '--no-metrics',
  ]),
  'bare node:http': await start([bare]),
};

// Rotating single-row requests drawn from the data set itself.
const requests = rows.slice(0, 50).map((r) => ({
  method: 'POST',
  path: '/predict',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(Object.fromEntries(FEATURES.map((f, j) => [f, r.x[j]]))),
}));

function load(url, duration) {
  return new Promise((resolveRun, rejectRun) => {
    autocannon({ url, connections, duration, pipelining: 1, requests }, (error, result) =>
      error ? rejectRun(error) : resolveRun(result),
    );
  });
}

// CPU seconds the server process used (user + system), from /proc: robust to
// other load on the machine, unlike throughput.
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = Object.fromEntries(
  Object.keys(servers).map((name) => [name, { rps: [], p99: [], cpuUs: [], errors: 0 }]),
);
try {
  for (const { url } of Object.values(servers)) await load(url, 2); // warm-up (JIT, connections)
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, { url, child }] of Object.entries(servers)) {
      const cpuBefore = cpuSeconds(child.pid);
      const result = await load(url, seconds);
      results[name].cpuUs.push(((cpuSeconds(child.pid) - cpuBefore) / result.requests.total) * 1e6);
      results[name].rps.push(result.requests.average);
      results[name].p99.push(result.latency.p99);
      results[name].errors += result.errors + result.non2xx;
    }
  }
  // The metrics server really collected: its counters saw every request.
  const text = await (await fetch(`${servers['metrics on'].url}/metrics`)).text();
  const served = [...text.matchAll(/^cairn_model_requests_total\{[^}]*status="200"\} (\d+)/gm)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
  const drift = [...text.matchAll(/^cairn_model_feature_drift_score\{[^}]*\} (\S+)/gm)].length;

  console.log(
    `cairn serve, nearest-centroid iris model (node runtime), ${connections} connections, ${rounds} x ${seconds}s per server, median of rounds`,
  );
  console.log('server                          req/s     p99 ms   server CPU us/req   errors');
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(30)} ${median(r.rps).toFixed(0).padStart(7)} ${median(r.p99).toFixed(1).padStart(9)} ${median(r.cpuUs).toFixed(1).padStart(19)} ${String(r.errors).padStart(8)}`,
    );
  }
  const on = results['metrics on'];
  const off = results['metrics off (--no-metrics)'];
  // Ratios per round (the two servers ran back to back), then the median: steadier than a ratio of medians on a busy machine.
  const perRound = (a, b) => median(a.map((value, i) => value / b[i]));
  const rpsRatio = perRound(on.rps, off.rps);
  const cpuRatio = perRound(on.cpuUs, off.cpuUs);
  const overhead = 1 - rpsRatio;
  console.log(`per-round throughput on/off: ${on.rps.map((v, i) => (v / off.rps[i]).toFixed(3)).join(', ')}`);
  console.log(
    `per-round server CPU/request on/off: ${on.cpuUs.map((v, i) => (v / off.cpuUs[i]).toFixed(3)).join(', ')}`,
  );
  console.log(
    `throughput ratio on/off (median): ${rpsRatio.toFixed(3)}  -> metrics overhead ${(overhead * 100).toFixed(1)}% (target <= 10%): ${overhead <= 0.1 ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `server CPU per request on/off (median): ${cpuRatio.toFixed(3)}  -> metrics CPU overhead ${((cpuRatio - 1) * 100).toFixed(1)}%`,
  );
  console.log(`p99 ratio on/off: ${(median(on.p99) / median(off.p99)).toFixed(3)}`);
  console.log(
    `machine load average (1 min) at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`,
  );
  console.log(
    `throughput ratio cairn serve (metrics on) / bare node:http: ${(median(on.rps) / median(results['bare node:http'].rps)).toFixed(3)}`,
  );
  console.log(`metrics server counted ${served} successful requests; ${drift} feature drift gauges exported`);
  if (overhead > 0.1) process.exitCode = 1;
} finally {
  for (const { child } of Object.values(servers)) {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
  }
}
