#!/usr/bin/env node
// Benchmark: `validateDataset` (@cairn/validate, built) on a large 20-column CSV,
// against peers reading the same file in the same run: `wc -l`, a plain
// csv-parse pass with no rules, and Python's csv module (/usr/bin/python3).
//
//   npm run build && node tools/bench/validate.mjs
//
// Env: BENCH_VALIDATE_MIB (default 1024), BENCH_ROUNDS (default 1),
//      BENCH_PEERS (default "wc,python,csv-parse"; csv-parse is slow, ~10 MB/s).
// The CSV is generated once under /tmp/cairn-bench-validate and reused.
// Every reader runs as a child process; peak RSS is the child's
// process.resourceUsage().maxRSS (getrusage ru_maxrss for Python).
// `validateDataset` splits a large CSV into one byte range per core (worker
// threads); the "1 range" row forces one pass on one thread for comparison.
// Targets (issue 15): full-spec validation ≥ 2× the throughput of Python's
// csv.reader merely parsing the file, and ≤ 300 MB peak RSS. The machine's
// load average is printed before and after: take figures on a quiet machine.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const repo = resolve(dirname(self), '..', '..');
const require = createRequire(join(repo, 'packages', 'validate', 'package.json'));

const LABELS = ['setosa', 'versicolor', 'virginica'];
const CATEGORIES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
const COUNTRIES = [
  'FR',
  'DE',
  'US',
  'GB',
  'ES',
  'IT',
  'NL',
  'BE',
  'CH',
  'AT',
  'SE',
  'NO',
  'DK',
  'FI',
  'PL',
  'PT',
  'IE',
  'CZ',
  'JP',
  'CA',
];
const WORDS = [
  'late',
  'delivery',
  'great',
  'service',
  'would',
  'buy',
  'again',
  'box',
  'damaged',
  'refund',
  'asked',
  'for',
  'the',
  'size',
  'fits',
  'well',
];

/** The spec every run validates against: all 20 columns typed, ranges, categories, a unique id, row bounds, label balance, PII scan of the free text. */
export const SPEC = {
  columns: {
    id: { type: 'integer', unique: true, nullable: false, min: 1 },
    created: { type: 'date', min: '2015-01-01', max: '2030-12-31' },
    ...Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`f${i + 1}`, { type: 'number', min: -1000, max: 1000 }]),
    ),
    count: { type: 'integer', min: 0, max: 100000 },
    category: { type: 'string', categories: CATEGORIES },
    country: { type: 'string', categories: COUNTRIES },
    flag: { type: 'boolean' },
    score: { type: 'number', min: 0, max: 1 },
    ratio: { type: 'number' },
    label: { type: 'string', nullable: false, categories: LABELS },
    comment: { type: 'string', maxLength: 200 },
  },
  rows: { min: 1 },
  label: { column: 'label', balance: { minShare: 0.2, maxShare: 0.5 } },
  pii: { columns: ['comment'], severity: 'warning' },
};

function generate(path, mib) {
  const target = mib * 1024 * 1024;
  process.stderr.write(`generating a ${mib} MiB CSV with 20 columns in ${path}\n`);
  let state = 42;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const temp = `${path}.partial`;
  const fd = openSync(temp, 'w');
  let written = 0;
  let id = 0;
  writeSync(
    fd,
    `id,created,${Array.from({ length: 10 }, (_, i) => `f${i + 1}`).join(',')},count,category,country,flag,score,ratio,label,comment\n`,
  );
  while (written < target) {
    const lines = [];
    for (let r = 0; r < 10000; r++) {
      id++;
      const day = 1 + Math.floor(random() * 28);
      const month = 1 + Math.floor(random() * 12);
      const year = 2015 + Math.floor(random() * 10);
      const features = Array.from({ length: 10 }, () => ((random() - 0.5) * 200).toFixed(4));
      let comment = Array.from(
        { length: 3 + Math.floor(random() * 6) },
        () => WORDS[Math.floor(random() * WORDS.length)],
      ).join(' ');
      if (id % 1000 === 0) comment += ` contact user${id}@example.com`;
      if (id % 97 === 0) comment = `"${comment}, thanks"`;
      lines.push(
        `${id},${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')},${features.join(',')},${Math.floor(random() * 5000)},` +
          `${CATEGORIES[Math.floor(random() * CATEGORIES.length)]},${COUNTRIES[Math.floor(random() * COUNTRIES.length)]},${random() < 0.5 ? 'true' : 'false'},` +
          `${random().toFixed(3)},${(random() * 10).toFixed(2)},${LABELS[Math.floor(random() * 3)]},${comment}`,
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  closeSync(fd);
  renameSync(temp, path);
}

/** Child process: one reader over the file; prints { rows, errors, warnings, cpuMs, maxRssMiB } as JSON. */
async function child(mode, file) {
  const cpuStart = process.cpuUsage();
  let result;
  if (mode === 'cairn' || mode === 'cairn-1' || mode === 'cairn-types') {
    const { validateDataset } = require('@cairn/validate');
    const spec =
      mode !== 'cairn-types'
        ? SPEC
        : {
            columns: Object.fromEntries(Object.entries(SPEC.columns).map(([k, v]) => [k, { type: v.type }])),
          };
    const report = await validateDataset(file, spec, {
      maxViolations: 100,
      ...(mode === 'cairn-1' ? { ranges: 1 } : {}),
    });
    result = { rows: report.rows, errors: report.errors, warnings: report.warnings, summary: report.summary };
  } else if (mode === 'csv-parse') {
    const { parse } = require('csv-parse');
    const { createReadStream } = await import('node:fs');
    let rows = -1;
    await new Promise((done, fail) => {
      const parser = parse({});
      parser.on('readable', () => {
        while (parser.read() !== null) rows++;
      });
      parser.on('end', done);
      parser.on('error', fail);
      createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parser);
    });
    result = { rows };
  }
  const cpu = process.cpuUsage(cpuStart);
  process.stdout.write(
    JSON.stringify({
      ...result,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

const PYTHON = `import csv, resource, sys, time
start = time.process_time()
rows = -1
with open(sys.argv[1], newline='') as f:
    for row in csv.reader(f):
        rows += 1
print('{"rows": %d, "cpuMs": %.1f, "maxRssMiB": %.1f}' % (rows, (time.process_time() - start) * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))`;

function run(name, argv) {
  const start = process.hrtime.bigint();
  const out = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (out.status !== 0) throw new Error(`${name} failed: ${out.stderr}`);
  const parsed =
    name === 'wc -l' ? { rows: Number(out.stdout.trim().split(/\s+/)[0]) - 1 } : JSON.parse(out.stdout);
  return { name, wallMs, ...parsed };
}

async function parent() {
  const mib = Number(process.env.BENCH_VALIDATE_MIB ?? 1024);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  const peers = (process.env.BENCH_PEERS ?? 'wc,python,csv-parse').split(',').filter(Boolean);
  const dir = '/tmp/cairn-bench-validate';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `data-${mib}MiB.csv`);
  if (!existsSync(file)) generate(file, mib);
  const bytes = statSync(file).size;
  const mb = bytes / 1e6;
  console.log(
    `file: ${file} (${mb.toFixed(0)} MB, 20 columns); ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
  console.log(`load average before: ${load()}`);
  // Warm the page cache so every reader starts equal.
  run('wc -l', ['wc', '-l', file]);
  const readers = [
    ['cairn validate (full spec)', [process.execPath, self, '--child', 'cairn', file]],
    ['cairn validate (full spec, 1 range)', [process.execPath, self, '--child', 'cairn-1', file]],
    ['cairn validate (types only)', [process.execPath, self, '--child', 'cairn-types', file]],
    ...(peers.includes('wc') ? [['wc -l', ['wc', '-l', file]]] : []),
    ...(peers.includes('python') ? [['python3 csv.reader', ['/usr/bin/python3', '-c', PYTHON, file]]] : []),
    ...(peers.includes('csv-parse')
      ? [['csv-parse (no rules)', [process.execPath, self, '--child', 'csv-parse', file]]]
      : []),
  ];
  const best = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const [name, argv] of readers) {
      const result = run(name, argv);
      const previous = best.get(name);
      if (!previous || result.wallMs < previous.wallMs) best.set(name, result);
    }
  }
  const rows = [...best.values()];
  const cairn = best.get('cairn validate (full spec)');
  console.log('');
  console.log(
    '| reader | rows | wall s | MB/s (wall) | MB/s (CPU time) | peak RSS MiB | cairn full-spec time ÷ reader time |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const cpu = r.cpuMs ? (mb / (r.cpuMs / 1000)).toFixed(1) : '–';
    console.log(
      `| ${r.name} | ${r.rows} | ${(r.wallMs / 1000).toFixed(2)} | ${(mb / (r.wallMs / 1000)).toFixed(1)} | ${cpu} | ${r.maxRssMiB ? r.maxRssMiB.toFixed(0) : '–'} | ${(cairn.wallMs / r.wallMs).toFixed(2)}× |`,
    );
  }
  const throughput = mb / (cairn.wallMs / 1000);
  console.log('');
  console.log(`load average after: ${load()}`);
  console.log(
    `violations found by the full spec: ${cairn.errors} errors, ${cairn.warnings} warnings ${JSON.stringify(cairn.summary)}`,
  );
  const python = best.get('python3 csv.reader');
  const ratio = python ? python.wallMs / cairn.wallMs : undefined;
  console.log(
    `target: ≥ 2× python3 csv.reader → ${ratio === undefined ? 'python not run' : `${ratio.toFixed(2)}× (${throughput.toFixed(1)} MB/s; ${ratio >= 2 ? 'met' : 'NOT met'})`}; ≤ 300 MB RSS → ${((cairn.maxRssMiB * 1048576) / 1e6).toFixed(0)} MB (${cairn.maxRssMiB * 1048576 <= 300e6 ? 'met' : 'NOT met'})`,
  );
  if (!rows.every((r) => r.rows === cairn.rows))
    console.log(
      `WARNING: readers disagree on the row count: ${rows.map((r) => `${r.name}=${r.rows}`).join(', ')}`,
    );
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await parent();
