#!/usr/bin/env node
// The README's main job: in a scratch git repo made from examples/, train
// every model, show the second run is fully cached, then change one dataset
// and show that `nx affected` retrains exactly the models that depend on it.
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const started = Date.now();
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const step = (text) =>
  console.log(`\n${bold(`▸ ${text}`)}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);

if (
  !existsSync(join(repo, 'plugins/nx/dist/index.js')) ||
  !existsSync(join(repo, 'packages/cli/dist/main.js'))
) {
  console.error(
    'Cairn is not built: run `npm install` (it builds in its prepare step) or `npm run build` first.',
  );
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'cairn-demo-'));
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: undefined,
  NX_CACHE_DIRECTORY: join(work, '.nx', 'cache'),
  NX_VERBOSE_LOGGING: 'false',
  FORCE_COLOR: '0',
  GIT_AUTHOR_NAME: 'Cairn demo',
  GIT_AUTHOR_EMAIL: 'demo@cairn.invalid',
  GIT_COMMITTER_NAME: 'Cairn demo',
  GIT_COMMITTER_EMAIL: 'demo@cairn.invalid',
};
delete env.NX_SKIP_NX_CACHE;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: work, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(`\ndemo failed: ${command} ${args.join(' ')} exited with ${result.status}`);
    process.exit(1);
  }
  if (options.echo) process.stdout.write(result.stdout);
  return result.stdout;
}
const nx = (...args) => run(join(work, 'node_modules', '.bin', 'nx'), args);
const cairn = (...args) => run(join(work, 'node_modules', '.bin', 'cairn'), args);
const git = (...args) => run('git', args);

step(`Scratch workspace ${work} from examples/`);
cpSync(join(repo, 'examples'), work, {
  recursive: true,
  filter: (source) => !source.endsWith('check-models.mjs'),
});
symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');
// Python models need numpy and scikit-learn from Debian's python3: without them the demo stops here.
const python = process.env.CAIRN_PYTHON ?? '/usr/bin/python3';
if (spawnSync(python, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    `${python} has no scikit-learn or numpy: run apt-get install -y python3-sklearn python3-numpy`,
  );
  process.exit(1);
}
writeFileSync(
  join(work, 'package.json'),
  `${JSON.stringify({ name: 'cairn-demo', private: true, devDependencies: { '@cairn/nx': '*', '@cairn/cli': '*', nx: '*' } }, null, 2)}\n`,
);
writeFileSync(join(work, 'nx.json'), `${JSON.stringify({ neverConnectToCloud: true }, null, 2)}\n`);
writeFileSync(join(work, '.gitignore'), 'node_modules\n.nx\n');
git('init', '-q', '-b', 'main');
nx('g', '@cairn/nx:init', '--no-interactive');

step('Track each dataset with Cairn (BLAKE3 content store + pointer files)');
const datasets = JSON.parse(cairn('task', 'list', '--json')).datasets;
for (const dataset of datasets) {
  cairn('add', dataset.data);
  console.log(`  ${dataset.name.padEnd(16)} ${dataset.data}.cairn`);
}
git('add', '-A');
git('commit', '-qm', 'Example datasets and models tracked by Cairn');

function metricsTable() {
  const models = JSON.parse(cairn('task', 'list', '--json')).models;
  const rows = models.map((model) => {
    const file = join(work, model.root, 'metrics.json');
    const metrics = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).metrics : {};
    const show = (key) => (metrics[key] === undefined ? '—' : metrics[key].toFixed(3));
    return `  ${model.name.padEnd(22)} ${model.task.padEnd(11)} ${show('accuracy').padStart(8)} ${show('f1_macro').padStart(8)} ${show('roc_auc').padStart(8)} ${show('log_loss').padStart(8)}`;
  });
  console.log(
    `  ${'model'.padEnd(22)} ${'task'.padEnd(11)} ${'accuracy'.padStart(8)} ${'f1_macro'.padStart(8)} ${'roc_auc'.padStart(8)} ${'log_loss'.padStart(8)}`,
  );
  console.log(rows.join('\n'));
}

function summarize(output) {
  // A batch of one task prints its "> nx run" header twice: count each task once.
  const seen = new Set();
  const ran = [...output.matchAll(/^> nx run ([^:\s]+:[^\s]+)(.*)$/gm)]
    // "[local cache]", "[remote cache]", or "[existing outputs match the cache, left as is]" (a task
    // whose outputs are already in place, such as a model's tests, which have none).
    .map((m) => ({ task: m[1], cached: /\[[^\]]*\bcache\b[^\]]*\]/.test(m[2]) }))
    .filter(({ task }) => !seen.has(task) && seen.add(task));
  const fresh = ran.filter((t) => !t.cached).map((t) => t.task);
  const cached = ran.filter((t) => t.cached).map((t) => t.task);
  console.log(`  executed: ${fresh.length ? fresh.join(', ') : 'none'}`);
  console.log(`  from cache: ${cached.length ? cached.join(', ') : 'none'}`);
  return { fresh, cached };
}

step('First run: nx run-many -t train evaluate (every model trains)');
summarize(nx('run-many', '-t', 'train', 'evaluate', '--outputStyle=static'));
metricsTable();
git('add', '-A');
git('commit', '-qm', 'Baseline metrics');

step('Register every trained model in the git registry (refs/cairn/registry) and promote one');
const registered = JSON.parse(cairn('task', 'list', '--json')).models.map((model) => model.name);
cairn('model', 'register', ...registered, '--why', 'demo baseline');
cairn('model', 'promote', 'iris-forest', '--to', 'champion', '--why', 'demo: baseline passed its gates');
const indent = (text) => text.trimEnd().replace(/^/gm, '  ');
console.log(indent(cairn('model', 'list')));
console.log(indent(cairn('audit', 'verify')));

step('Second run: nothing changed, so every task comes from the Nx cache');
const second = summarize(nx('run-many', '-t', 'train', 'evaluate', '--outputStyle=static'));
if (second.fresh.length) {
  console.error('expected every task to be cached');
  process.exit(1);
}

step('Tune: nx run iris-forest-search:tune (a 6-trial TPE study, every trial recorded in git)');
nx('run', 'iris-forest-search:tune', '--outputStyle=static');
const trials = JSON.parse(
  cairn(
    'exp',
    'list',
    '--project',
    'iris-forest-search',
    '--where',
    'kind = trial',
    '--sort-by',
    'f1_macro:desc',
    '--json',
  ),
);
for (const trial of trials.slice(0, 3)) {
  console.log(
    `  ${trial.id}  f1_macro ${trial.metrics.f1_macro.toFixed(3)}  ${JSON.stringify(trial.params)}`,
  );
}
console.log(
  `  … ${trials.length} trials under refs/cairn/exps/iris-forest-search/ (cairn exp list, show, diff, apply)`,
);

step('Tune again, past the Nx cache: every finished trial is reused, none retrains');
const again = run(join(work, 'node_modules', '.bin', 'cairn'), [
  'task',
  'tune',
  'iris-forest-search',
  '--json',
]);
const replayed = JSON.parse(again).trials.filter((trial) => trial.source === 'reused').length;
console.log(`  ${replayed} of ${JSON.parse(again).trials.length} trials reused`);
cairn('report', '--out', 'dist/cairn/report');
console.log(`  report: ${join(work, 'dist/cairn/report/index.html')} (or \`npx cairn ui\`)`);

const changed = datasets.find((dataset) => dataset.name === 'iris') ?? datasets[0];
step(`Change one dataset: append rows to ${changed.data}, then \`cairn add\` it`);
const lines = readFileSync(join(work, changed.data), 'utf8').trimEnd().split('\n');
appendFileSync(join(work, changed.data), `${lines.slice(1, 6).join('\n')}\n`);
cairn('add', changed.data);
console.log(`  ${changed.data}.cairn now points at the new content; the old version stays in the store`);

step('nx show projects --affected -t train (what the change touched)');
const affected = nx('show', 'projects', '--affected', '-t', 'train', '--base=HEAD', '--json');
console.log(`  affected: ${JSON.parse(affected).sort().join(', ')}`);

step('nx affected -t train evaluate: exactly those models retrain');
summarize(nx('affected', '-t', 'train', 'evaluate', '--base=HEAD', '--outputStyle=static'));
metricsTable();

step(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. The scratch workspace stays at ${work}`);
console.log(
  '  try: cd into it and run `npx nx graph`, `npx cairn status`, `npx nx show project iris-forest`',
);
