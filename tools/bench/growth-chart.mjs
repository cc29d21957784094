#!/usr/bin/env node
// Draws docs/benchmarks/growth.json (written by growth.mjs) as a log-log chart,
// files vs wall seconds, one line per tool and verb, into docs/benchmarks/growth.svg.
//
//   node tools/bench/growth-chart.mjs [growth.json] [growth.svg]
//
// Vega-Lite compiles the spec and Vega renders it headless (no canvas, no browser).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const input = process.argv[2] ?? join(repo, 'docs', 'benchmarks', 'growth.json');
const output = process.argv[3] ?? join(repo, 'docs', 'benchmarks', 'growth.svg');
const growth = JSON.parse(readFileSync(input, 'utf8'));

const points = growth.results.flatMap(({ files, seconds }) =>
  Object.entries(seconds).map(([series, value]) => {
    const [tool, verb] = series.split(' ');
    return { files, seconds: value, tool, verb, series };
  }),
);
// A line of slope 1 through the smallest cairn add: anything steeper than it grows worse than linearly.
const smallest = Math.min(...growth.results.map((row) => row.files));
const largest = Math.max(...growth.results.map((row) => row.files));
const anchor = points.find((point) => point.files === smallest && point.series === 'cairn add').seconds;
const linear = [smallest, largest].map((files) => ({ files, seconds: (anchor * files) / smallest }));

const loads = growth.results.flatMap((row) => row.loadavg1);
/** "1–4 KiB", plus where smaller files were used (a million files of 1–4 KiB would take most of an hour). */
function fileSizes() {
  const small = growth.results.filter((row) => row.bytes / row.files < 1024).map((row) => row.files);
  return small.length === 0
    ? '1–4 KiB'
    : `1–4 KiB (64–256 B at ${small.map((files) => files.toLocaleString('en')).join(', ')})`;
}
const axisFiles = { title: 'files (log scale)', format: '~s', grid: true };
const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: {
    text: 'How cost grows: cairn vs git (log-log, lower is better)',
    // Short lines: without a canvas, Vega over-estimates text width and would widen the image.
    subtitle: [
      `wall time per command, process start included; files of ${fileSizes()}`,
      `${growth.machine}, node ${growth.node}, ${growth.git}`,
      `${growth.date.slice(0, 16).replace('T', ' ')} UTC, 1-min load average ${Math.min(...loads)}–${Math.max(...loads)}`,
      'push peer: git push to a local bare repo (file://)',
    ],
    anchor: 'start',
  },
  width: 640,
  height: 420,
  layer: [
    {
      data: { values: linear },
      mark: { type: 'line', color: '#999', strokeDash: [2, 3] },
      encoding: {
        x: { field: 'files', type: 'quantitative', scale: { type: 'log' }, axis: axisFiles },
        y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' } },
      },
    },
    {
      data: { values: [linear[1]] },
      mark: {
        type: 'text',
        color: '#777',
        align: 'right',
        dx: -4,
        dy: 14,
        text: 'linear (slope 1)',
      },
      encoding: {
        x: { field: 'files', type: 'quantitative' },
        y: { field: 'seconds', type: 'quantitative' },
      },
    },
    {
      data: { values: points },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'files', type: 'quantitative', scale: { type: 'log' }, axis: axisFiles },
        y: {
          field: 'seconds',
          type: 'quantitative',
          scale: { type: 'log' },
          axis: { title: 'wall time (seconds, log scale)', grid: true },
        },
        color: {
          field: 'verb',
          type: 'nominal',
          title: 'command',
          scale: { domain: ['status', 'add', 'push'], range: ['#1f77b4', '#d62728', '#2ca02c'] },
        },
        strokeDash: {
          field: 'tool',
          type: 'nominal',
          title: 'tool',
          scale: {
            domain: ['cairn', 'git'],
            range: [
              [1, 0],
              [6, 4],
            ],
          },
        },
        shape: {
          field: 'tool',
          type: 'nominal',
          title: 'tool',
          scale: { domain: ['cairn', 'git'] },
          legend: { labelExpr: "datum.label === 'git' ? 'git (dashed)' : 'cairn (solid)'" },
        },
        detail: { field: 'series', type: 'nominal' },
        tooltip: [{ field: 'series' }, { field: 'files' }, { field: 'seconds' }],
      },
    },
  ],
  config: { font: 'sans-serif', background: 'white' },
};

const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
writeFileSync(output, `${await view.toSVG()}\n`);
view.finalize();
console.log(`wrote ${output}`);
