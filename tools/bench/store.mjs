#!/usr/bin/env node
// Benchmark: the content store's `cairn add` and `cairn status` against their peers.
//
//   npm run build && node tools/bench/store.mjs
//
// 1. `cairn add` of BENCH_ADD_FILES (default 100,000) files of 1–8 KiB into an
//    empty store vs `find … -type f -print0 | xargs -0 b3sum` over the same
//    files (target: ≤ 1.5× b3sum) and vs `git add` of the same files into an
//    empty object store (target, issue 15: ≤ 0.5× git add); then a no-op
//    re-add (≤ 1.0× b3sum).
// 2. No-op `cairn status` over BENCH_STATUS_FILES (default 10,000) tracked
//    files vs `git status` on the same tree (the files are also committed to
//    git, so git checks them too). Target: ≤ 2× git status. Two layouts:
//    (a) one tracked folder holding all files, (b) every file tracked by its
//    own pointer file (100 folders).
//
// Env: BENCH_ROUNDS (default 3), BENCH_PARTS (default add,status),
// BENCH_BASELINE_CAIRN (another build's packages/cli/bin/cairn.js: its add of new files is
// measured in the same rounds, for an A/B of a change),
// BENCH_STATUS_LAYOUTS (default one-folder,pointer-per-file). Data lives under /tmp/cairn-bench-store and
// is reused between runs. Every tool runs as a child process (wall time,
// Node startup included), rounds interleaved; we report best and median.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { gitEnv } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const cairnBin = join(repo, 'packages', 'cli', 'bin', 'cairn.js');
const store = require('@cairn/store');

const addCount = Number(process.env.BENCH_ADD_FILES ?? 100_000);
const statusCount = Number(process.env.BENCH_STATUS_FILES ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** Another build's CLI (e.g. a worktree of the commit before a change), measured in the same rounds. */
const baselineBin = process.env.BENCH_BASELINE_CAIRN;
const base = '/tmp/cairn-bench-store';
mkdirSync(base, { recursive: true });

/** `count` files of 1–8 KiB with distinct random content, 1,000 per folder. */
function writeFiles(dir, count) {
  const marker = join(dir, '..', `.${count}-complete`);
  if (existsSync(marker)) return;
  rmSync(dir, { recursive: true, force: true });
  // The data of another size is gone: so is its marker.
  for (const name of readdirSync(join(dir, '..'))) {
    if (/^\.\d+-complete$/.test(name)) rmSync(join(dir, '..', name));
  }
  process.stderr.write(`generating ${count} files of 1-8 KiB in ${dir}\n`);
  const pool = randomBytes(4 * 1024 * 1024);
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(folder, { recursive: true });
    const size = 1024 + ((i * 2654435761) % 7169);
    const offset = (i * 104729) % (pool.length - 8192);
    const content = Buffer.from(pool.subarray(offset, offset + size));
    content.writeUInt32LE(i, 0); // distinct content: no deduplication
    writeFileSync(join(folder, `f${i}.bin`), content);
  }
  writeFileSync(marker, '');
}

function timeOnce(argv, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return seconds;
}

const stats = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
};
const fmt = (s) => `${s.toFixed(3)} s`;

function report(title, target, results, peerName) {
  console.log(`\n## ${title}`);
  const peer = stats(results[peerName]);
  for (const [name, times] of Object.entries(results)) {
    const { best, median } = stats(times);
    const ratio =
      name === peerName
        ? ''
        : `  ratio(best) ${(best / peer.best).toFixed(2)}×, ratio(median) ${(median / peer.median).toFixed(2)}×`;
    console.log(`${name.padEnd(34)} best ${fmt(best)}  median ${fmt(median)}${ratio}`);
  }
  console.log(`target: ${target}`);
}

console.log(
  `# store benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}, rounds ${rounds}`,
);

const parts = (process.env.BENCH_PARTS ?? 'add,status').split(',');

// 1. add
if (parts.includes('add')) {
  const root = join(base, 'add');
  const data = join(root, 'data');
  mkdirSync(root, { recursive: true });
  writeFiles(data, addCount);
  const b3 = ['sh', '-c', `find data -type f -print0 | xargs -0 b3sum > /dev/null`];
  // Old stores are moved aside and deleted at the end: creating files right after deleting as
  // many costs this ext4 far more kernel time, and that would be measured instead of the tools.
  const trash = join(base, 'trash');
  mkdirSync(trash, { recursive: true });
  let moved = 0;
  const moveAside = () => {
    for (const name of ['.cairn', 'data.cairn', '.gitignore', '.git']) {
      if (existsSync(join(root, name))) renameSync(join(root, name), join(trash, `${moved++}-${name}`));
    }
  };
  const reset = () => {
    moveAside();
    execFileSync('node', [cairnBin, 'init'], { cwd: root });
  };
  // Both stores are measured from the same start: nothing of the copy or the last add still being
  // written back to the disk.
  const settle = async () => {
    execFileSync('sync');
    await sleep(1_000);
  };
  const resetGit = () => {
    moveAside();
    execFileSync('git', ['init', '-q'], { cwd: root, env: gitEnv });
  };
  timeOnce(b3, { cwd: root }); // warm the page cache
  // A floor for any store that copies: the same bytes into as many new files.
  const cp = ['cp', '-r', 'data', join(base, 'cp-copy')];
  const results = {
    'b3sum (find | xargs b3sum)': [],
    'cp -r (copy floor)': [],
    'cairn add (empty store)': [],
    'cairn add (again, unchanged)': [],
    'cairn add (third time)': [],
    'git add (empty object store)': [],
    ...(baselineBin ? { 'cairn add (empty store, baseline build)': [] } : {}),
  };
  for (let round = 0; round < rounds; round++) {
    results['b3sum (find | xargs b3sum)'].push(timeOnce(b3, { cwd: root }));
    if (existsSync(join(base, 'cp-copy')))
      renameSync(join(base, 'cp-copy'), join(trash, `${moved++}-cp-copy`));
    results['cp -r (copy floor)'].push(timeOnce(cp, { cwd: root }));
    reset();
    await settle();
    results['cairn add (empty store)'].push(timeOnce(['node', cairnBin, 'add', 'data'], { cwd: root }));
    // A later re-add, as a user makes one: past the racy window (2 s), the store's folders just
    // written are old enough for the folder snapshot to vouch for them. Within it, add re-lists the store.
    await sleep(2_100);
    results['cairn add (again, unchanged)'].push(timeOnce(['node', cairnBin, 'add', 'data'], { cwd: root }));
    results['cairn add (third time)'].push(timeOnce(['node', cairnBin, 'add', 'data'], { cwd: root }));
    if (baselineBin) {
      reset();
      await settle();
      results['cairn add (empty store, baseline build)'].push(
        timeOnce(['node', baselineBin, 'add', 'data'], { cwd: root }),
      );
    }
    resetGit();
    await settle();
    results['git add (empty object store)'].push(
      timeOnce(['git', 'add', 'data'], { cwd: root, env: gitEnv }),
    );
  }
  moveAside();
  rmSync(trash, { recursive: true, force: true });
  rmSync(join(base, 'cp-copy'), { recursive: true, force: true });
  report(
    `add: ${addCount} files of 1–8 KiB`,
    'cairn add (again, unchanged) ≤ 1.0× b3sum (issue 15); cairn add (empty store) ≤ 1.5× b3sum',
    results,
    'b3sum (find | xargs b3sum)',
  );
  const { 'git add (empty object store)': git, 'cairn add (empty store)': cairn } = results;
  const perRound = (name, times) => {
    const ratios = times.map((seconds, round) => seconds / git[round]).sort((a, b) => a - b);
    console.log(
      `${name} ÷ git add, per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')} (median ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}×)`,
    );
  };
  perRound('cairn add (empty store)', cairn);
  if (baselineBin) perRound('baseline build', results['cairn add (empty store, baseline build)']);
  console.log('target: cairn add (empty store) ≤ 0.5× git add (issue 15)');
}

// 2. status
const layouts = (process.env.BENCH_STATUS_LAYOUTS ?? 'one-folder,pointer-per-file').split(',');
for (const layout of parts.includes('status') ? layouts : []) {
  const root = join(base, `status-${layout}-${statusCount}`);
  const data = join(root, 'data');
  mkdirSync(root, { recursive: true });
  writeFiles(data, statusCount);
  if (!existsSync(join(root, '.git'))) {
    process.stderr.write(`setting up git + cairn in ${root}\n`);
    execFileSync('git', ['init', '-q'], { cwd: root, env: gitEnv });
    execFileSync('git', ['add', 'data'], { cwd: root, env: gitEnv });
    execFileSync('git', ['commit', '-q', '-m', 'data'], { cwd: root, env: gitEnv });
    execFileSync('node', [cairnBin, 'init'], { cwd: root });
    if (layout === 'one-folder') {
      execFileSync('node', [cairnBin, 'add', 'data'], { cwd: root });
    } else {
      const folders = execFileSync('ls', [data], { encoding: 'utf8' }).trim().split('\n');
      for (const folder of folders) {
        execFileSync('sh', ['-c', `node ${cairnBin} add data/${folder}/*.bin > /dev/null`], { cwd: root });
      }
    }
    execFileSync('git', ['add', '-A'], { cwd: root, env: gitEnv });
    execFileSync('git', ['commit', '-q', '-m', 'pointers'], { cwd: root, env: gitEnv });
  }
  // Files just written are too fresh for the stat cache (racy-git window); one status after that fills it.
  timeOnce(['node', cairnBin, 'status', '--check'], { cwd: root });
  timeOnce(['git', 'status', '--porcelain'], { cwd: root });
  const results = { 'git status': [], 'cairn status (CLI)': [], 'status() in-process (no startup)': [] };
  for (let round = 0; round < rounds; round++) {
    results['git status'].push(timeOnce(['git', 'status', '--porcelain'], { cwd: root }));
    results['cairn status (CLI)'].push(timeOnce(['node', cairnBin, 'status', '--check'], { cwd: root }));
    const start = process.hrtime.bigint();
    const entries = await store.status(root);
    results['status() in-process (no startup)'].push(Number(process.hrtime.bigint() - start) / 1e9);
    if (entries.some((entry) => entry.state !== 'clean')) throw new Error('status not clean');
  }
  const pointers = layout === 'one-folder' ? '1 pointer' : `${statusCount} pointers`;
  report(
    `no-op status: ${statusCount} tracked files, ${pointers}`,
    'cairn status ≤ 2× git status',
    results,
    'git status',
  );
}
