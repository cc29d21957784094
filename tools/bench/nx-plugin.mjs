#!/usr/bin/env node
// Benchmarks of the Nx plugin (issue 3), each against a named peer in the same run:
//  1. project graph creation, 1,000 inferred model projects vs the same projects as static project.json files;
//  2. per-task overhead of the inferred `train` target vs `nx:run-commands` running the same trivial command, 100 tasks;
//  3. a cache hit of a model with a 500 MB artifact (Nx restore + artifact restored out of the store: reflink, else a
//     copy verified while written) vs `cp` of the file.
//  4. the stale-data check (preTasksExecution) on a cache hit in a 1,000-model, 100-dataset workspace vs the same
//     plugin without the check.
//
//   npm run build && node tools/bench/nx-plugin.mjs
//
// Env: BENCH_PROJECTS (1000), BENCH_TASKS (100), BENCH_ARTIFACT_MB (500), BENCH_DATASETS (100), BENCH_ROUNDS (3).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repo, 'package.json'));
const { inferProject } = require('@cairn/nx');
const projectsCount = Number(process.env.BENCH_PROJECTS ?? 1000);
const tasksCount = Number(process.env.BENCH_TASKS ?? 100);
const artifactMb = Number(process.env.BENCH_ARTIFACT_MB ?? 500);
const datasetsCount = Number(process.env.BENCH_DATASETS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const sections = (process.env.BENCH_SECTIONS ?? '1,2,3,4').split(',').map(Number);

function workspace(name, withPlugin, plugin = '@cairn/nx') {
  const root = mkdtempSync(join(tmpdir(), `cairn-bench-${name}-`));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  write(root, 'package.json', JSON.stringify({ name: `bench-${name}`, private: true }));
  write(
    root,
    'nx.json',
    JSON.stringify({
      neverConnectToCloud: true,
      ...(withPlugin ? { plugins: [plugin] } : {}),
      namedInputs: { cairnInputs: ['{projectRoot}/**/*', '!{projectRoot}/**/*.md'] },
    }),
  );
  write(
    root,
    '.gitignore',
    'node_modules\n.nx\ndist\n.cairn/cache\n.cairn/state\n.cairn/runs\n.cairn/tmp*\n',
  );
  write(
    root,
    '.cairn/config.json',
    // What `cairn init` and the init generator write: no link policy, so the safe default (reflink, else copy).
    JSON.stringify({ version: 1, cache: {}, remotes: {} }),
  );
  git(root, 'init', '-q', '-b', 'main');
  return root;
}
function write(root, file, content) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}
function env(root) {
  return {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_CACHE_DIRECTORY: join(root, '.nx', 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx', 'workspace-data'),
    FORCE_COLOR: '0',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@cairn.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@cairn.invalid',
  };
}
function run(root, command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    env: env(root),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${root}:\n${result.stdout}${result.stderr}`);
  return seconds;
}
const git = (root, ...args) => run(root, 'git', args);
const nx = (root, ...args) => run(root, join(root, 'node_modules', '.bin', 'nx'), args);
const cairn = (root, ...args) => run(root, join(root, 'node_modules', '.bin', 'cairn'), args);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const line = (label, ours, peer, target) =>
  console.log(
    `${label.padEnd(58)} cairn ${ours.toFixed(2)} s   peer ${peer.toFixed(2)} s   ratio ${(ours / peer).toFixed(2)}×   target ≤ ${target}×`,
  );

const TRAINER = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const out = process.env.CAIRN_OUTPUT_DIR ?? 'out';
writeFileSync(join(out, 'cairn-model.json'), JSON.stringify({ runtime: 'node', entry: 'predict.cjs', task: 'binary', label: 'label', labels: ['a', 'b'], features: [{ name: 'x', type: 'number' }] }));
const mb = Number(process.env.ARTIFACT_MB ?? 0);
if (mb) { const chunk = Buffer.alloc(1 << 20); const fd = (await import('node:fs')).openSync(join(out, 'weights.bin'), 'w'); for (let i = 0; i < mb; i++) { chunk.fill(i % 251); (await import('node:fs')).writeSync(fd, chunk); } }
`;
const DATASET =
  'x,label\n' + Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n';
const modelJson = (extra = {}) =>
  JSON.stringify({
    datasets: ['d'],
    label: 'label',
    task: 'binary',
    train: { command: 'node train.mjs' },
    ...extra,
  });

// 1. Graph creation --------------------------------------------------------------
if (sections.includes(1)) {
  const inferred = workspace('graph-inferred', true);
  const statics = workspace('graph-static', false);
  write(inferred, 'datasets/d/dataset.json', JSON.stringify({ data: 'd.csv' }));
  const datasetProject = inferProject('datasets/d/dataset.json', JSON.stringify({ data: 'd.csv' }));
  write(statics, 'datasets/d/project.json', JSON.stringify({ ...datasetProject, root: 'datasets/d' }));
  for (let i = 0; i < projectsCount; i++) {
    const root = `models/m${String(i).padStart(4, '0')}`;
    write(inferred, `${root}/model.json`, modelJson());
    const project = inferProject(`${root}/model.json`, modelJson());
    write(statics, `${root}/project.json`, JSON.stringify({ ...project, root, implicitDependencies: ['d'] }));
  }
  const times = { [inferred]: { cold: [], warm: [] }, [statics]: { cold: [], warm: [] } };
  // Interleaved rounds, so both sides see the same load on a shared machine.
  for (let r = 0; r < rounds; r++) {
    for (const root of [inferred, statics]) {
      rmSync(join(root, '.nx'), { recursive: true, force: true });
      times[root].cold.push(nx(root, 'show', 'projects', '--json'));
      times[root].warm.push(nx(root, 'show', 'projects', '--json'));
    }
  }
  const a = { cold: median(times[inferred].cold), warm: median(times[inferred].warm) };
  const b = { cold: median(times[statics].cold), warm: median(times[statics].warm) };
  console.log(`\n1. Project graph with ${projectsCount} model projects (nx show projects, NX_DAEMON=false)`);
  line(`   cold (empty workspace data, median of ${rounds})`, a.cold, b.cold, 1.2);
  line(`   warm (median of ${rounds}): inferred vs static project.json`, a.warm, b.warm, 1.2);
  rmSync(inferred, { recursive: true, force: true });
  rmSync(statics, { recursive: true, force: true });
}

// 2. Per-task overhead ------------------------------------------------------------
if (sections.includes(2)) {
  const ours = workspace('tasks-cairn', true);
  const peer = workspace('tasks-runcommands', false);
  write(ours, 'datasets/d/dataset.json', JSON.stringify({ data: 'd.csv' }));
  write(ours, 'datasets/d/d.csv', DATASET);
  cairn(ours, 'add', 'datasets/d/d.csv');
  for (let i = 0; i < tasksCount; i++) {
    const root = `models/m${String(i).padStart(3, '0')}`;
    write(ours, `${root}/model.json`, modelJson());
    write(ours, `${root}/train.mjs`, TRAINER);
    write(peer, `${root}/train.mjs`, TRAINER);
    write(peer, `${root}/out/.keep`, '');
    write(
      peer,
      `${root}/project.json`,
      JSON.stringify({
        name: `m${i}`,
        targets: {
          train: {
            executor: 'nx:run-commands',
            options: { command: 'node train.mjs', cwd: root },
            cache: true,
          },
        },
      }),
    );
  }
  const a = nx(ours, 'run-many', '-t', 'train', '--skip-nx-cache', '--parallel=2');
  const b = nx(peer, 'run-many', '-t', 'train', '--skip-nx-cache', '--parallel=2');
  console.log(`\n2. ${tasksCount} trivial train tasks (--skip-nx-cache, --parallel=2)`);
  line('   inferred train (batched @cairn/nx:train) vs nx:run-commands', a, b, 1.5);
  console.log(
    `   per task: cairn ${((a / tasksCount) * 1000).toFixed(0)} ms, run-commands ${((b / tasksCount) * 1000).toFixed(0)} ms`,
  );
  rmSync(ours, { recursive: true, force: true });
  rmSync(peer, { recursive: true, force: true });
}

// 3. Cache hit with a large artifact ----------------------------------------------
if (sections.includes(3)) {
  const root = workspace('artifact', true);
  write(root, 'datasets/d/dataset.json', JSON.stringify({ data: 'd.csv' }));
  write(root, 'datasets/d/d.csv', DATASET);
  cairn(root, 'add', 'datasets/d/d.csv');
  write(
    root,
    'models/big/model.json',
    modelJson({ train: { command: 'node train.mjs', env: { ARTIFACT_MB: String(artifactMb) } } }),
  );
  write(root, 'models/big/train.mjs', TRAINER);
  const trainSeconds = nx(root, 'run', 'big:train');
  const artifact = join(root, 'dist', 'cairn', 'models', 'big', 'model', 'weights.bin');
  const pipeline = require('@cairn/pipeline');
  const restore = async () => {
    const trainable = pipeline.resolveTrainable(await pipeline.discoverProjects(root), 'big');
    await pipeline.ensureArtifact(root, trainable);
  };
  // One untimed restore first, so module loading is not counted as copying.
  rmSync(join(root, 'dist', 'cairn', 'models', 'big', 'model'), { recursive: true, force: true });
  await restore();
  // Rounds interleave cp and the restore, each after a `sync`, so neither pays for the other's dirty pages.
  const copies = [];
  const hits = [];
  const restores = [];
  for (let r = 0; r < rounds; r++) {
    const target = join(root, `copy-${r}.bin`);
    execFileSync('sync');
    copies.push(run(root, 'cp', [artifact, target]));
    rmSync(target);
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    execFileSync('sync');
    const started = process.hrtime.bigint();
    nx(root, 'run', 'big:train');
    execFileSync('sync');
    const restoreStarted = process.hrtime.bigint();
    await restore();
    const ended = process.hrtime.bigint();
    hits.push(Number(ended - started) / 1e9);
    restores.push(Number(ended - restoreStarted) / 1e9);
  }
  console.log(
    `\n3. Cache hit of a model with a ${artifactMb} MB artifact (first training took ${trainSeconds.toFixed(1)} s)`,
  );
  line(
    '   artifact restore (verified copy or reflink out of the store) vs cp',
    median(restores),
    median(copies),
    1,
  );
  line('   whole `nx run` cache hit + restore vs cp', median(hits), median(copies), 1);
  rmSync(root, { recursive: true, force: true });
}

// 4. Stale-data check --------------------------------------------------------------
if (sections.includes(4)) {
  // Both sides load the plugin through a local file (same resolution cost); the peer's does not
  // export preTasksExecution.
  const WITH_CHECK = `module.exports = { ...require('@cairn/nx'), name: 'cairn-with-check' };\n`;
  const WITHOUT_CHECK = `const cairn = require('@cairn/nx');
module.exports = { name: 'cairn-without-check', createNodesV2: cairn.createNodesV2, createDependencies: cairn.createDependencies };
`;
  const build = (name, plugin) => {
    const root = workspace(name, true, plugin);
    write(root, 'cairn-with-check.js', WITH_CHECK);
    write(root, 'cairn-without-check.js', WITHOUT_CHECK);
    const data = [];
    for (let d = 0; d < datasetsCount; d++) {
      const dir = `datasets/d${String(d).padStart(3, '0')}`;
      write(root, `${dir}/dataset.json`, JSON.stringify({ data: 'd.csv' }));
      write(root, `${dir}/d.csv`, DATASET);
      // Older than the stat cache's racy window, as data is by the time anyone trains on it.
      utimesSync(
        join(root, dir, 'd.csv'),
        new Date(Date.now() - 3_600_000),
        new Date(Date.now() - 3_600_000),
      );
      data.push(`${dir}/d.csv`);
    }
    cairn(root, 'add', ...data);
    for (let i = 0; i < projectsCount; i++) {
      const model = `models/m${String(i).padStart(4, '0')}`;
      const dataset = `d${String(i % datasetsCount).padStart(3, '0')}`;
      write(root, `${model}/model.json`, JSON.stringify({ ...JSON.parse(modelJson()), datasets: [dataset] }));
      write(root, `${model}/train.mjs`, TRAINER);
    }
    nx(root, 'run', 'm0000:train');
    return root;
  };
  const ours = build('check', './cairn-with-check.js');
  const peer = build('nocheck', './cairn-without-check.js');
  // The hook alone, in a fresh process that has loaded the plugin (as Nx's plugin worker has):
  // reads the cached graph, loads the store, checks every dataset.
  const HOOK = `const started = process.hrtime.bigint();
const { preTasksExecution } = require('@cairn/nx');
const loaded = process.hrtime.bigint();
preTasksExecution({}, { workspaceRoot: process.cwd(), argv: ['node', 'nx', 'run', 'm0000:train'] }).then(() => {
  console.log(JSON.stringify({ load: Number(loaded - started) / 1e6, hook: Number(process.hrtime.bigint() - loaded) / 1e6 }));
});`;
  const hookMs = (root) => {
    const result = spawnSync(process.execPath, ['-e', HOOK], { cwd: root, env: env(root), encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`hook failed in ${root}:\n${result.stdout}${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').pop()).hook;
  };
  // Interleaved rounds, so both sides see the same load on a shared machine.
  nx(ours, 'run', 'm0000:train');
  nx(peer, 'run', 'm0000:train');
  const oursTimes = [];
  const peerTimes = [];
  const hookTimes = [];
  for (let r = 0; r < rounds; r++) {
    oursTimes.push(nx(ours, 'run', 'm0000:train'));
    peerTimes.push(nx(peer, 'run', 'm0000:train'));
    hookTimes.push(hookMs(ours));
  }
  const a = median(oursTimes);
  const b = median(peerTimes);
  console.log(
    `\n4. Stale-data check: cache hit of \`nx run m0000:train\` with ${projectsCount} models and ${datasetsCount} tracked datasets`,
  );
  line(`   with the check vs the same plugin without it (median of ${rounds})`, a, b, 1.2);
  console.log(
    `   the check itself (preTasksExecution, fresh process, median of ${rounds}): ${median(hookTimes).toFixed(0)} ms`,
  );
  rmSync(ours, { recursive: true, force: true });
  rmSync(peer, { recursive: true, force: true });
}
