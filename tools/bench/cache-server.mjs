#!/usr/bin/env node
// Benchmark: the cairn cache server against turborepo-remote-cache (the common
// self-hosted remote cache, fastify, local storage) on the same machine.
//
//   npm run build && node tools/bench/cache-server.mjs
//
// 1. PUT and GET throughput for 1 MB and 50 MB artifacts at concurrency 16
//    (cairn: PUT/GET /v1/cache/{hash}; peer: PUT/GET /v8/artifacts/{hash}?teamId=bench).
//    Both servers run as child processes with storage under /tmp; the client is
//    this process (node:http, keep-alive, one agent per server). Target: >= 1.0x.
// 2. Peak server RSS (VmHWM of the child) while one 1 GiB upload streams in.
//    Target: <= 150 MB.
// 3. `cairn push` (the built CLI) of a tracked folder of 10,000 small files to
//    the cairn server (HTTP remote): objects/s. Peer: the same objects PUT one
//    request each to turborepo-remote-cache at the same concurrency (what a
//    client without a batch "missing" query does). Then `cairn pull --no-checkout` of the
//    same objects into a fresh clone vs one GET per object from the peer.
//
// Env: BENCH_SMALL_COUNT (default 200 x 1 MB), BENCH_LARGE_COUNT (default 32 x 50 MB),
//      BENCH_HUGE_MB (default 1024), BENCH_PUSH_FILES (default 10000),
//      BENCH_ROUNDS (default 2; the median round of each side is reported, the best beside it;
//      the pull is repeated into a fresh clone once per round),
//      BENCH_PARTS (default throughput,rss,push),
//      BENCH_BASELINE (optional: another built checkout of this repo, e.g. the commit before a change;
//      its server and CLI run in the same rounds as this one's, so before and after share the load).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const MB = 1024 * 1024;
const smallCount = Number(process.env.BENCH_SMALL_COUNT ?? 200);
const largeCount = Number(process.env.BENCH_LARGE_COUNT ?? 32);
const hugeMb = Number(process.env.BENCH_HUGE_MB ?? 1024);
const pushFiles = Number(process.env.BENCH_PUSH_FILES ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const parts = (process.env.BENCH_PARTS ?? 'throughput,rss,push').split(',');
const CONCURRENCY = 16;
const TOKEN = 'bench-token-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'cairn-bench-cache-'));

// Fail early when the packages are not built.
require.resolve('@cairn/cache-server');
const cliBin = join(repo, 'packages', 'cli', 'bin', 'cairn.js');
const baselineBin = process.env.BENCH_BASELINE
  ? join(resolve(process.env.BENCH_BASELINE), 'packages', 'cli', 'bin', 'cairn.js')
  : undefined;

async function startChild(name, args, env, readyPattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: name === 'cairn' ? child.stderr : child.stdout });
  if (name !== 'cairn') child.stderr.resume();
  else child.stdout.resume();
  const url = await new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    lines.on('line', (line) => {
      const match = readyPattern.exec(line);
      if (match) resolveUrl(match[1]);
    });
  });
  lines.removeAllListeners('line');
  // Keep draining logs so the child never blocks on a full pipe.
  lines.on('line', () => undefined);
  return { child, url };
}

async function startCairn(storage, bin = cliBin) {
  const tokens = join(work, 'tokens');
  writeFileSync(tokens, `write ${TOKEN}\n`);
  return startChild(
    'cairn',
    [bin, 'cache-server', '--port', '0', '--storage', storage, '--tokens', tokens],
    {},
    /"event":"listening","url":"([^"]+)"/,
  );
}

async function startTurbo(storage) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { child } = await startChild(
    'turbo',
    [join(repo, 'node_modules', 'turborepo-remote-cache', 'dist', 'cli.js')],
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      STORAGE_PROVIDER: 'local',
      STORAGE_PATH: storage,
      STORAGE_PATH_USE_TMP_FOLDER: 'false',
      TURBO_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
      ENABLE_STATUS_LOG: 'false',
      BODY_LIMIT: String(2 ** 31),
    },
    /(Server listening|listening)/i,
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

function send(agent, url, method, body) {
  return new Promise((resolveReply, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          ...(body
            ? { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) }
            : {}),
        },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () => resolveReply({ status: res.statusCode, bytes }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function pool(count, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

const servers = {
  cairn: { path: (hash) => `/v1/cache/${hash}` },
  ...(baselineBin ? { 'cairn baseline': { path: (hash) => `/v1/cache/${hash}` } } : {}),
  'turborepo-remote-cache': { path: (hash) => `/v8/artifacts/${hash}?teamId=bench` },
};

async function throughput(name, server, size, count, round) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const body = randomBytes(size);
  const key = (i) => `${round}${size}${String(i).padStart(6, '0')}`;
  let started = performance.now();
  await pool(count, async (i) => {
    const reply = await send(agent, `${server.url}${servers[name].path(key(i))}`, 'PUT', body);
    if (reply.status !== 200) throw new Error(`${name} PUT answered ${reply.status}`);
  });
  const putSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await pool(count, async (i) => {
    const reply = await send(agent, `${server.url}${servers[name].path(key(i))}`, 'GET');
    if (reply.status !== 200 || reply.bytes !== size)
      throw new Error(`${name} GET answered ${reply.status} with ${reply.bytes} bytes`);
  });
  const getSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { put: (size * count) / MB / putSeconds, get: (size * count) / MB / getSeconds };
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

/** Streams `mb` MiB of generated bytes as one PUT (never held in memory on the client either). */
function hugeUpload(url, mb) {
  const chunk = randomBytes(MB);
  return new Promise((resolveStatus, reject) => {
    const req = request(`${url}/v1/cache/999999999`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': String(mb * MB) },
    });
    req.on('response', (res) => {
      res.resume();
      resolveStatus(res.statusCode);
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < mb) {
        sent += 1;
        if (sent === mb) {
          req.end(chunk);
          return;
        }
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function stop(child) {
  return new Promise((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.kill('SIGTERM');
  });
}

const fmt = (value) => value.toFixed(1);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = [];
const loadAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

try {
  // 1. Throughput, alternating servers per round so both see the same machine load.
  const perRound = {};
  for (let round = 0; round < (parts.includes('throughput') ? rounds : 0); round += 1) {
    // Each round starts with a different server, so none always runs first.
    const names = Object.keys(servers);
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      const storage = join(work, `${name}-${round}`);
      mkdirSync(storage, { recursive: true });
      const server =
        name === 'cairn'
          ? await startCairn(storage)
          : name === 'cairn baseline'
            ? await startCairn(storage, baselineBin)
            : await startTurbo(storage);
      servers[name].url = server.url;
      for (const [label, size, count] of [
        ['1 MB', MB, smallCount],
        ['50 MB', 50 * MB, largeCount],
      ]) {
        const result = await throughput(name, server, size, count, round);
        const slot = (perRound[`${name}|${label}`] ??= { put: [], get: [] });
        slot.put.push(result.put);
        slot.get.push(result.get);
      }
      await stop(server.child);
      rmSync(storage, { recursive: true, force: true });
    }
  }
  for (const label of parts.includes('throughput') ? ['1 MB', '50 MB'] : []) {
    for (const op of ['put', 'get']) {
      const cairn = median(perRound[`cairn|${label}`][op]);
      const peer = median(perRound[`turborepo-remote-cache|${label}`][op]);
      results.push({
        what: `${op.toUpperCase()} ${label} x16`,
        cairn: `${fmt(cairn)} MB/s (best ${fmt(Math.max(...perRound[`cairn|${label}`][op]))})`,
        peer: `${fmt(peer)} MB/s (best ${fmt(Math.max(...perRound[`turborepo-remote-cache|${label}`][op]))})`,
        ratio: cairn / peer,
        baseline: baselineBin
          ? `${fmt(median(perRound[`cairn baseline|${label}`][op]))} MB/s, ratio ${(median(perRound[`cairn baseline|${label}`][op]) / peer).toFixed(2)}x`
          : undefined,
        target: '>= 1.0x',
      });
    }
  }

  // 2. Peak RSS while a 1 GiB body streams in.
  if (parts.includes('rss')) {
    const storage = join(work, 'rss');
    const server = await startCairn(storage);
    const before = peakRssMb(server.child.pid);
    const started = performance.now();
    const status = await hugeUpload(server.url, hugeMb);
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb(server.child.pid);
    await stop(server.child);
    rmSync(storage, { recursive: true, force: true });
    if (status !== 200) throw new Error(`1 GiB upload answered ${status}`);
    results.push({
      what: `peak RSS, ${hugeMb} MiB upload`,
      cairn: `${fmt(peak)} MB (idle ${fmt(before)} MB, ${fmt(hugeMb / seconds)} MB/s)`,
      peer: 'buffers whole bodies (fastify body parser, BODY_LIMIT)',
      ratio: undefined,
      target: '<= 150 MB',
    });
  }

  // 3. cairn push of many small objects vs one PUT per object to the peer.
  if (parts.includes('push')) {
    const ws = join(work, 'ws');
    mkdirSync(join(ws, '.git'), { recursive: true });
    mkdirSync(join(ws, 'data', 'files'), { recursive: true });
    for (let i = 0; i < pushFiles; i += 1)
      writeFileSync(join(ws, 'data', 'files', `f${i}.bin`), randomBytes(512 + (i % 3584)));
    const cairn = (args, env = {}, bin = cliBin) =>
      execFileSync(process.execPath, [bin, ...args], {
        cwd: ws,
        env: { ...process.env, ...env },
        stdio: 'pipe',
      }).toString();
    cairn(['init']);
    cairn(['add', 'data/files']);
    const storage = join(work, 'push-server');
    const server = await startCairn(storage);
    cairn(['remote', 'add', 'bench', server.url, '--default']);
    // The baseline pushes first (into its own server), so this checkout never gets the colder files.
    let baselineServer;
    let baselinePush;
    if (baselineBin) {
      baselineServer = await startCairn(join(work, 'push-baseline'), baselineBin);
      cairn(['remote', 'add', 'baseline', baselineServer.url]);
      const started = performance.now();
      const pushed = JSON.parse(
        cairn(
          ['push', '--remote', 'baseline', '--jobs', String(CONCURRENCY), '--json'],
          { CAIRN_REMOTE_TOKEN: TOKEN },
          baselineBin,
        ),
      );
      baselinePush = pushed.transferred / ((performance.now() - started) / 1000);
    }
    let started = performance.now();
    const out = JSON.parse(
      cairn(['push', '--jobs', String(CONCURRENCY), '--json'], { CAIRN_REMOTE_TOKEN: TOKEN }),
    );
    const pushSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const again = JSON.parse(
      cairn(['push', '--jobs', String(CONCURRENCY), '--json'], { CAIRN_REMOTE_TOKEN: TOKEN }),
    );
    const noopSeconds = (performance.now() - started) / 1000;
    // A fresh clone (pointer + config, empty cache) pulls everything back, once per round. Clones stay
    // until the end: deleting 10,000 files just before the next round slows the file system's inode
    // allocation for a while (ext4 skips recently deleted inodes), which would charge one round for another.
    const pullInto = (clone, bin, url) => {
      mkdirSync(join(clone, '.git'), { recursive: true });
      mkdirSync(join(clone, '.cairn'), { recursive: true });
      mkdirSync(join(clone, 'data'), { recursive: true });
      const config = JSON.parse(readFileSync(join(ws, '.cairn', 'config.json'), 'utf8'));
      config.remotes.bench.url = url;
      writeFileSync(join(clone, '.cairn', 'config.json'), JSON.stringify(config));
      writeFileSync(join(clone, 'data', 'files.cairn'), readFileSync(join(ws, 'data', 'files.cairn')));
      const started = performance.now();
      const result = JSON.parse(
        execFileSync(
          process.execPath,
          [bin, 'pull', '--no-checkout', '--jobs', String(CONCURRENCY), '--json'],
          {
            cwd: clone,
            env: { ...process.env, CAIRN_REMOTE_TOKEN: TOKEN },
            stdio: 'pipe',
          },
        ).toString(),
      );
      if (result.transferred !== out.transferred)
        throw new Error(`pull brought ${result.transferred} objects`);
      return (performance.now() - started) / 1000;
    };
    const pullRounds = [];
    const baselinePullRounds = [];
    for (let round = 0; round < rounds; round += 1) {
      const pullNew = () => pullRounds.push(pullInto(join(work, `clone-${round}`), cliBin, server.url));
      const pullBaseline = () =>
        baselinePullRounds.push(
          pullInto(join(work, `clone-baseline-${round}`), baselineBin, baselineServer.url),
        );
      // Alternate which one pulls first.
      const order = !baselineBin
        ? [pullNew]
        : round % 2 === 0
          ? [pullNew, pullBaseline]
          : [pullBaseline, pullNew];
      for (const pull of order) pull();
    }
    const pullSeconds = median(pullRounds);
    const pulled = { transferred: out.transferred };
    if (baselineServer) await stop(baselineServer.child);
    await stop(server.child);
    if (again.transferred !== 0) throw new Error('second push transferred objects');

    const turboStorage = join(work, 'push-turbo');
    mkdirSync(turboStorage, { recursive: true });
    const turbo = await startTurbo(turboStorage);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const { listObjectIds, loadLayout } = require('@cairn/store');
    const { cacheDir } = await loadLayout(ws);
    const { objectFile } = require('@cairn/remote');
    const ids = await listObjectIds(cacheDir);
    started = performance.now();
    await pool(ids.length, async (i) => {
      const reply = await send(
        agent,
        `${turbo.url}/v8/artifacts/${ids[i].replace('.dir', 'd')}?teamId=bench`,
        'PUT',
        readFileSync(objectFile(cacheDir, ids[i])),
      );
      if (reply.status !== 200) throw new Error(`peer PUT answered ${reply.status}`);
    });
    const peerSeconds = (performance.now() - started) / 1000;
    const peerGetRounds = [];
    for (let round = 0; round < rounds; round += 1) {
      started = performance.now();
      await pool(ids.length, async (i) => {
        const reply = await send(
          agent,
          `${turbo.url}/v8/artifacts/${ids[i].replace('.dir', 'd')}?teamId=bench`,
          'GET',
        );
        if (reply.status !== 200) throw new Error(`peer GET answered ${reply.status}`);
      });
      peerGetRounds.push((performance.now() - started) / 1000);
    }
    const peerGetSeconds = median(peerGetRounds);
    agent.destroy();
    await stop(turbo.child);
    const cairnRate = out.transferred / pushSeconds;
    const peerRate = ids.length / peerSeconds;
    results.push({
      what: `cairn push, ${out.transferred} small objects`,
      cairn: `${fmt(cairnRate)} objects/s (${fmt(pushSeconds)} s incl. CLI start; no-op re-push ${fmt(noopSeconds)} s)`,
      peer: `${fmt(peerRate)} objects/s (one PUT per object)`,
      ratio: cairnRate / peerRate,
      target: '>= 1.0x',
      baseline: baselinePush
        ? `${fmt(baselinePush)} objects/s, ratio ${(baselinePush / peerRate).toFixed(2)}x`
        : undefined,
    });
    results.push({
      what: `cairn pull, ${pulled.transferred} small objects`,
      cairn: `${fmt(pulled.transferred / pullSeconds)} objects/s (${fmt(pullSeconds)} s incl. CLI start, fresh clone; rounds ${pullRounds.map(fmt).join(', ')} s)`,
      peer: `${fmt(ids.length / peerGetSeconds)} objects/s (one GET per object; rounds ${peerGetRounds.map(fmt).join(', ')} s)`,
      ratio: pulled.transferred / pullSeconds / (ids.length / peerGetSeconds),
      target: '>= 1.0x',
      baseline: baselineBin
        ? `${fmt(pulled.transferred / median(baselinePullRounds))} objects/s, ratio ${(pulled.transferred / median(baselinePullRounds) / (ids.length / peerGetSeconds)).toFixed(2)}x; rounds ${baselinePullRounds.map(fmt).join(', ')} s`
        : undefined,
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  `cache server benchmark (node ${process.version}, concurrency ${CONCURRENCY}, median of ${rounds} rounds, load ${loadAtStart} at start, ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at end)`,
);
for (const row of results) {
  const ratio = row.ratio === undefined ? '' : `  ratio ${row.ratio.toFixed(2)}x`;
  const baseline = row.baseline ? `  [baseline ${row.baseline}]` : '';
  console.log(
    `${row.what.padEnd(34)} cairn ${row.cairn}  |  turborepo-remote-cache ${row.peer}${ratio}  (target ${row.target})${baseline}`,
  );
}
