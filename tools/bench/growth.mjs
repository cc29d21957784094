#!/usr/bin/env node
// Benchmark: how the cost of `cairn status`, `cairn add` and `cairn push`
// grows with the number of files, next to git's equivalent in the same run.
//
//   npm run build && node tools/bench/growth.mjs && node tools/bench/growth-chart.mjs
//
// For each size N (BENCH_GROWTH_SIZES, default 1000,10000,100000) one fresh
// workspace (a git repo that is also a cairn workspace) under the temp dir gets
// N files of 1–4 KiB from a seeded PRNG (BENCH_GROWTH_SEED, default 15), 1,000
// per folder (from BENCH_GROWTH_SMALL_FROM files, default 1,000,000, files of
// 64–256 bytes instead: a million files of 1–4 KiB would take most of an hour
// to write, commit, push and remove), then:
//   add     `git add data` vs `cairn add data` (empty stores, new files)
//   status  no-op `git status --porcelain` vs `cairn status --check` after the
//           files and pointers are committed (best of BENCH_ROUNDS, default 3)
//   push    `git push` of that commit to a local bare repo (file:// protocol)
//           vs `cairn push --jobs 16` to a local `cairn cache-server`
// Each tool runs as a child process: wall time, process start-up included.
// add and push change state, so they run once per size; status is a no-op and
// is repeated, the best round kept. Results go to docs/benchmarks/growth.json
// (BENCH_GROWTH_OUT); with BENCH_GROWTH_MERGE=1 they replace the sizes
// measured now and keep the others, so one size can be re-run alone. The temp
// workspaces are removed.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { gitEnv, mulberry32, timeOnce } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cairnBin = join(repo, 'packages', 'cli', 'bin', 'cairn.js');
const sizes = (process.env.BENCH_GROWTH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const seed = Number(process.env.BENCH_GROWTH_SEED ?? 15);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const out = process.env.BENCH_GROWTH_OUT ?? join(repo, 'docs', 'benchmarks', 'growth.json');
const TOKEN = 'bench-token-0123456789abcdef';
const PUSH_JOBS = 16;
const smallFrom = Number(process.env.BENCH_GROWTH_SMALL_FROM ?? 1_000_000);
const merge = process.env.BENCH_GROWTH_MERGE === '1';

/** `count` files of 1–4 KiB (64–256 bytes from smallFrom files), 1,000 per folder; each starts with its index so no two are equal. */
function writeFiles(dir, count) {
  const [smallest, spread] = count >= smallFrom ? [64, 193] : [1024, 3073];
  const random = mulberry32(seed);
  const pool = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
  let bytes = 0;
  for (let i = 0; i < count; i += 1) {
    const folder = join(dir, `d${String(Math.floor(i / 1000)).padStart(4, '0')}`);
    if (i % 1000 === 0) mkdirSync(folder, { recursive: true });
    const size = smallest + Math.floor(random() * spread);
    const offset = Math.floor(random() * (pool.length - size));
    const content = Buffer.from(pool.subarray(offset, offset + size));
    content.writeUInt32LE(i, 0);
    writeFileSync(join(folder, `f${i}.bin`), content);
    bytes += size;
  }
  return bytes;
}

/** Starts `cairn cache-server` on 127.0.0.1 with a port of its choosing; resolves once it listens. */
async function startCacheServer(storage, tokens) {
  writeFileSync(tokens, `write ${TOKEN}\n`);
  const child = spawn(
    process.execPath,
    [cairnBin, 'cache-server', '--port', '0', '--storage', storage, '--tokens', tokens],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines = createInterface({ input: child.stderr });
  const url = await new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`cache-server exited with ${code}`)));
    lines.on('line', (line) => {
      const match = /"event":"listening","url":"([^"]+)"/.exec(line);
      if (match) resolveUrl(match[1]);
    });
  });
  return { child, url };
}

function stop(child) {
  return new Promise((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.kill('SIGTERM');
  });
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const round3 = (seconds) => Math.round(seconds * 1000) / 1000;

async function measure(count) {
  const work = mkdtempSync(join(tmpdir(), 'cairn-bench-growth-'));
  const ws = join(work, 'ws');
  const git = (...args) => execFileSync('git', args, { cwd: ws, env: gitEnv, stdio: 'pipe' });
  const cairn = (args) => ['node', cairnBin, ...args];
  const inWs = { cwd: ws, env: { ...gitEnv, CAIRN_REMOTE_TOKEN: TOKEN } };
  const load = [loadavg()];
  try {
    mkdirSync(ws);
    const bytes = writeFiles(join(ws, 'data'), count);
    git('init', '-q', '-b', 'main');
    timeOnce(cairn(['init']), inWs);
    timeOnce(['sh', '-c', 'find data -type f -print0 | xargs -0 cat > /dev/null'], inWs); // page cache

    const gitAdd = timeOnce(['git', 'add', 'data'], inWs).seconds;
    const cairnAdd = timeOnce(cairn(['add', 'data']), inWs).seconds;
    load.push(loadavg());

    git('add', '-A');
    git('commit', '-q', '-m', 'data and pointer');
    // Files written within the racy-git window (2 s) are never trusted from their stat: wait it out,
    // as any later status would, so every size measures the steady no-op and not a rehash.
    await sleep(2_100);
    // These runs settle both indexes (cairn's folder snapshot, git's racily clean entries).
    timeOnce(cairn(['status', '--check']), inWs);
    timeOnce(['git', 'status', '--porcelain'], inWs);
    const status = { git: Infinity, cairn: Infinity };
    for (let round = 0; round < rounds; round += 1) {
      const clean = timeOnce(['git', 'status', '--porcelain'], inWs);
      if (clean.stdout !== '') throw new Error(`git status not clean: ${clean.stdout.slice(0, 200)}`);
      status.git = Math.min(status.git, clean.seconds);
      status.cairn = Math.min(status.cairn, timeOnce(cairn(['status', '--check']), inWs).seconds);
    }
    load.push(loadavg());

    git('init', '-q', '--bare', join(work, 'remote.git'));
    const gitPush = timeOnce(
      ['git', 'push', '-q', `file://${join(work, 'remote.git')}`, 'main'],
      inWs,
    ).seconds;
    const server = await startCacheServer(join(work, 'server'), join(work, 'tokens'));
    let cairnPush;
    try {
      timeOnce(cairn(['remote', 'add', 'bench', server.url, '--default']), inWs);
      const pushed = timeOnce(cairn(['push', '--jobs', String(PUSH_JOBS), '--json']), inWs);
      const { transferred } = JSON.parse(pushed.stdout);
      if (transferred < count) throw new Error(`cairn push transferred ${transferred} of ${count} objects`);
      cairnPush = pushed.seconds;
    } finally {
      await stop(server.child);
    }
    load.push(loadavg());
    return {
      files: count,
      bytes,
      seconds: {
        'git status': round3(status.git),
        'cairn status': round3(status.cairn),
        'git add': round3(gitAdd),
        'cairn add': round3(cairnAdd),
        'git push': round3(gitPush),
        'cairn push': round3(cairnPush),
      },
      loadavg1: load.map(([one]) => one),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();
console.log(
  `# growth benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}, ${gitVersion}, seed ${seed}`,
);
const results = [];
for (const count of sizes) {
  const result = await measure(count);
  results.push(result);
  const cells = Object.entries(result.seconds).map(([name, s]) => `${name} ${s.toFixed(3)} s`);
  console.log(`${String(count).padStart(9)} files: ${cells.join(', ')}  (load ${result.loadavg1.join(' ')})`);
}

if (merge) {
  const measured = new Set(results.map((result) => result.files));
  const earlier = JSON.parse(readFileSync(out, 'utf8')).results.filter(
    (result) => !measured.has(result.files),
  );
  results.push(...earlier);
  results.sort((a, b) => a.files - b.files);
}
const document = {
  date: new Date().toISOString(),
  machine: `${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}`,
  node: process.version,
  git: gitVersion,
  seed,
  statusRounds: rounds,
  peers: {
    status: 'git status --porcelain (no-op, files committed)',
    add: 'git add data (new files, empty object store)',
    push: 'git push to a local bare repo over file://; cairn push --jobs 16 to cairn cache-server on 127.0.0.1',
  },
  results,
};
// Written as the repo's prettier would write it, so `npm run lint` accepts the committed file.
const text = await prettier.format(JSON.stringify(document), {
  ...(await prettier.resolveConfig(out)),
  filepath: out,
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, text);
console.log(`wrote ${out}`);
