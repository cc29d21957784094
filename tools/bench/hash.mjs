#!/usr/bin/env node
// Benchmark: `cairn hash` against b3sum, sha256sum and md5sum on the same data.
//
//   npm run build && node tools/bench/hash.mjs
//
// Env: BENCH_BIG_MIB (default 1024), BENCH_ROUNDS (default 5),
//      BENCH_SMALL_FILES (default 100000; 0 skips the small-files part).
// Data is generated once under /tmp/cairn-bench-hash and reused.
// Every tool runs as a child process (wall time, startup included), rounds
// interleaved; we report the best and the median round.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeOnce } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const cairnBin = join(repo, 'packages', 'cli', 'bin', 'cairn.js');
const hashLib = require('@cairn/hash');

const bigMiB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const smallCount = Number(process.env.BENCH_SMALL_FILES ?? 100_000);
const smallRounds = Number(process.env.BENCH_SMALL_ROUNDS ?? 3);
const dataDir = '/tmp/cairn-bench-hash';
mkdirSync(dataDir, { recursive: true });

function ensureBigFile() {
  const path = join(dataDir, `big-${bigMiB}MiB.bin`);
  if (existsSync(path) && statSync(path).size === bigMiB * 1024 * 1024) return path;
  process.stderr.write(`generating ${bigMiB} MiB of random bytes in ${path}\n`);
  const fd = openSync(path, 'w');
  for (let i = 0; i < bigMiB; i += 16) writeSync(fd, randomBytes(Math.min(16, bigMiB - i) * 1024 * 1024));
  closeSync(fd);
  return path;
}

function ensureSmallFiles() {
  const root = join(dataDir, `small-${smallCount}`);
  const marker = join(root, '.complete');
  if (existsSync(marker)) return root;
  process.stderr.write(`generating ${smallCount} files of 1-8 KiB in ${root}\n`);
  const pool = randomBytes(8192 + 65536);
  for (let i = 0; i < smallCount; i++) {
    const dir = join(root, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const size = 1024 + ((i * 2654435761) % 7169); // 1 KiB .. 8 KiB
    const offset = (i * 7919) % 65536;
    writeFileSync(join(dir, `f${i}.bin`), pool.subarray(offset, offset + size));
  }
  writeFileSync(marker, '');
  return root;
}

/** Interleaves rounds of every contender; returns best / median seconds each. */
function race(contenders, roundCount = rounds) {
  const times = new Map(contenders.map((c) => [c.name, []]));
  const outputs = new Map();
  for (let round = 0; round < roundCount; round++) {
    for (const contender of contenders) {
      const { seconds, stdout } = timeOnce(contender.argv, contender.options);
      times.get(contender.name).push(seconds);
      outputs.set(contender.name, stdout);
    }
  }
  return contenders.map((c) => {
    const sorted = [...times.get(c.name)].sort((a, b) => a - b);
    return {
      name: c.name,
      best: sorted[0],
      median: sorted[Math.floor(sorted.length / 2)],
      stdout: outputs.get(c.name),
    };
  });
}

function table(results, reference, bytes) {
  const ref = results.find((r) => r.name === reference);
  const rows = results.map((r) => ({
    tool: r.name,
    'best s': r.best.toFixed(3),
    'median s': r.median.toFixed(3),
    ...(bytes ? { 'GiB/s (best)': (bytes / 2 ** 30 / r.best).toFixed(2) } : {}),
    [`× ${reference} (best)`]: (r.best / ref.best).toFixed(2),
    [`× ${reference} (median)`]: (r.median / ref.median).toFixed(2),
  }));
  console.table(rows);
}

const node = process.execPath;
// The library alone in a fresh process: separates the hashing from the CLI's start-up (it loads every command's package).
const libraryOneShot =
  "require('@cairn/hash').hashFile(process.argv[1]).then((r) => console.log(r.hash + '  ' + process.argv[1]))";
console.log(
  `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), availableParallelism ${availableParallelism()}`,
);
console.log(
  `b3sum: ${execFileSync('b3sum', ['--version'], { encoding: 'utf8' }).trim()}, BLAKE3 backend in Cairn: ${hashLib.hashBackend()}`,
);
console.log(
  `rounds: ${rounds} (small files: ${smallRounds}), interleaved; best and median wall time per tool`,
);
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);

// 1. One big file.
const big = ensureBigFile();
const bytes = statSync(big).size;
execFileSync('sh', ['-c', `cat '${big}' > /dev/null`]); // warm the page cache
const bigResults = race([
  { name: 'cairn hash', argv: [node, cairnBin, 'hash', big] },
  { name: 'b3sum', argv: ['b3sum', big] },
  { name: 'node + @cairn/hash, no CLI', argv: [node, '-e', libraryOneShot, big], options: { cwd: repo } },
  { name: 'b3sum --no-mmap', argv: ['b3sum', '--no-mmap', big] },
  { name: 'sha256sum', argv: ['sha256sum', big] },
  { name: 'md5sum', argv: ['md5sum', big] },
  { name: 'cairn hash --md5', argv: [node, cairnBin, 'hash', '--md5', big] },
  { name: 'node -e 0 (startup floor)', argv: [node, '-e', '0'] },
  { name: 'cairn --version (CLI startup)', argv: [node, cairnBin, '--version'] },
]);
const cairnLine = bigResults.find((r) => r.name === 'cairn hash').stdout.split(' ')[0];
const b3Line = bigResults.find((r) => r.name === 'b3sum').stdout.split(' ')[0];
if (cairnLine !== b3Line) throw new Error(`cairn hash ${cairnLine} differs from b3sum ${b3Line}`);
console.log(`## ${bigMiB} MiB file (page-cached), hashes agree: ${b3Line}`);
table(bigResults, 'b3sum', bytes);
const ratio =
  bigResults.find((r) => r.name === 'cairn hash').best / bigResults.find((r) => r.name === 'b3sum').best;
console.log(
  `cairn hash / b3sum (best of ${rounds}): ${ratio.toFixed(2)}  — target ≤ 1.10: ${ratio <= 1.1 ? 'MET' : 'NOT MET'}\n`,
);

// In-process library throughput (no process startup), by read size: picks FILE_CHUNK_BYTES.
{
  const sizes = [1, 4, 16];
  const best = new Map(sizes.map((mib) => [mib, Infinity]));
  for (let i = 0; i < rounds; i++) {
    for (const mib of sizes) {
      const start = process.hrtime.bigint();
      const { hash } = await hashLib.hashFile(big, { chunkBytes: mib * 1024 * 1024 });
      best.set(mib, Math.min(best.get(mib), Number(process.hrtime.bigint() - start) / 1e9));
      if (hash !== b3Line) throw new Error(`hashFile (${mib} MiB reads) disagrees with b3sum`);
    }
  }
  console.log('library hashFile in-process (read and hash overlapped), best of rounds:');
  for (const [mib, seconds] of best) {
    console.log(
      `  ${String(mib).padStart(2)} MiB reads: ${seconds.toFixed(3)} s = ${(bytes / 2 ** 30 / seconds).toFixed(2)} GiB/s`,
    );
  }
  console.log('');
}

// 2. Many small files.
if (smallCount > 0) {
  const root = ensureSmallFiles();
  execFileSync('sh', ['-c', `find '${root}' -type f -print0 | xargs -0 cat > /dev/null`]); // warm
  const smallResults = race(
    [
      { name: 'cairn hash DIR', argv: [node, cairnBin, 'hash', root] },
      {
        name: 'node + @cairn/hash hashDirectory, no CLI',
        argv: [
          node,
          '-e',
          "require('@cairn/hash').hashDirectory(process.argv[1]).then((r) => console.log(r.hash))",
          root,
        ],
        options: { cwd: repo },
      },
      {
        name: 'find | xargs b3sum',
        argv: ['sh', '-c', `find '${root}' -type f -print0 | xargs -0 b3sum > /dev/null`],
      },
      {
        name: 'find | xargs -P2 b3sum',
        argv: ['sh', '-c', `find '${root}' -type f -print0 | xargs -0 -P2 -n 5000 b3sum > /dev/null`],
      },
    ],
    smallRounds,
  );
  console.log(`## ${smallCount} files of 1-8 KiB (page-cached)`);
  table(smallResults, 'find | xargs b3sum');
  const smallRatio = smallResults[0].best / smallResults.find((r) => r.name === 'find | xargs b3sum').best;
  console.log(
    `cairn hash DIR: ${(smallCount / smallResults[0].best).toFixed(0)} files/s; ratio to find|xargs b3sum (best): ${smallRatio.toFixed(2)} — target ≤ 1.5 (for cairn add): ${smallRatio <= 1.5 ? 'MET' : 'NOT MET'}`,
  );
}
