import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { add, initWorkspace } from '@cairn/store';
import { newExperimentId, recordExperiment } from '@cairn/experiments';
import { seededRandom } from '../../../tools/test-support/src/index';
import {
  gitIn as git,
  writePointsWorkspace,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
import { evaluate, startReportServer, train, tune, writeExperimentReport } from './index';

const CHROMIUM = '/usr/bin/chromium';
// Beside the repo's other throwaway output (tmp/ is gitignored), for a person to look at.
const SCREENSHOT = resolve(__dirname, '..', '..', '..', 'tmp', 'screenshots', 'experiments-report.png');

let root: string;
let browser: Browser;
let reportFile: string;
const SYNTHETIC = 250;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run \`node tools/oracles/check.mjs\` (installs Debian's chromium as root)`,
    );
  }
  root = mkdtempSync(join(tmpdir(), 'cairn-report-'));
  writePointsWorkspace(root);
  await initWorkspace(root);
  await add(root, ['data/points/points.csv']);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
  const log = () => undefined;
  await train({ workspaceRoot: root, project: 'm', log });
  await evaluate({ workspaceRoot: root, project: 'm', log });
  write(
    root,
    'experiments/search/experiment.json',
    JSON.stringify({
      model: 'm',
      tune: {
        space: { depth: { type: 'int', low: 1, high: 6 } },
        method: 'random',
        objective: { metric: 'accuracy', direction: 'maximize' },
        budget: { trials: 4 },
      },
    }),
  );
  await tune({ workspaceRoot: root, project: 'search', log });
  write(
    root,
    'dist/cairn/models/m/explain/importance.json',
    JSON.stringify({
      features: [
        { feature: 'x', importanceMean: 0.3, importanceStd: 0.05 },
        { feature: 'y', importanceMean: 0.02, importanceStd: 0.01 },
      ],
    }),
  );
  // Enough records to page through, including names a hostile remote could push.
  const random = seededRandom(1213);
  for (let i = 0; i < SYNTHETIC; i++) {
    const created = new Date(Date.UTC(2024, 0, 1) + i * 1000);
    await recordExperiment(root, {
      id: newExperimentId(created),
      project: 'bulk',
      kind: 'trial',
      status: 'succeeded',
      created: created.toISOString(),
      durationMs: 5,
      params: { lr: random(), note: i === 7 ? '</script><img src=x onerror=alert(1)>' : 'ok' },
      metrics: { accuracy: random() },
      data: {},
      host: 'h',
      artifacts: [],
    });
  }
  reportFile = await writeExperimentReport(root, join(root, 'report'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the experiments report in headless Chromium', () => {
  it('loads offline with no console error, renders every chart non-empty, filters, sorts and pages the table', async () => {
    const html = readFileSync(reportFile, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/https?:\/\/(?!vega\.github\.io\/schema|www\.w3\.org)[^"'\s]*\.js/);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('dialog', (dialog) => problems.push(`dialog: ${dialog.message()}`));
    // no network at all: any request but the file itself fails the test
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file:')
        ? route.continue()
        : (problems.push(`request ${route.request().url()}`), route.abort()),
    );
    await page.goto(`file://${reportFile}`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');

    const charts = await page.$$eval('.chart[data-title]', (nodes) =>
      nodes.map((node) => ({
        title: node.getAttribute('data-title'),
        rendered: node.getAttribute('data-rendered'),
        marks: Number(node.getAttribute('data-marks')),
        svg: node.querySelectorAll('svg').length,
      })),
    );
    expect(charts.map((chart) => chart.title)).toEqual([
      expect.stringContaining('params vs'),
      'per-step values (newest runs)',
      'm',
      'ROC',
      'precision–recall',
      'm: permutation importance',
    ]);
    for (const chart of charts) {
      expect(chart, chart.title ?? '').toMatchObject({ rendered: 'true', svg: 1 });
      expect(chart.marks, chart.title ?? '').toBeGreaterThan(3);
    }
    expect(await page.$$eval('.empty', (nodes) => nodes.length)).toBe(0);

    const total = SYNTHETIC + 2 + 4;
    const rowCount = () => page.$$eval('#experiments tbody tr', (rows) => rows.length);
    expect(await rowCount()).toBe(100);
    expect(await page.textContent('#count')).toBe(`${total} of ${total}`);
    await page.click('#next');
    expect(await page.textContent('#page')).toBe(`page 2 / ${Math.ceil(total / 100)}`);
    await page.fill('#filter', 'kind = evaluate');
    expect(await rowCount()).toBe(1);
    await page.fill('#filter', 'project = search');
    expect(await rowCount()).toBe(4);
    await page.fill('#filter', 'accuracy > 0.5');
    const above = await rowCount();
    expect(above).toBeGreaterThan(10);
    await page.fill('#filter', '');
    // sorting by a metric: the first rows hold the largest values
    await page.click('th[data-key="metrics.accuracy"]');
    const column = await page.$$eval('#experiments thead th', (ths) =>
      ths.findIndex((th) => th.textContent === 'metrics.accuracy'),
    );
    const firstValues = await page.$$eval(`#experiments tbody tr td:nth-child(${column + 1})`, (cells) =>
      cells.slice(0, 5).map((cell) => Number(cell.textContent)),
    );
    expect(firstValues).toEqual([...firstValues].sort((a, b) => b - a));
    // the hostile note is shown as text, not markup
    await page.fill('#filter', 'onerror');
    expect(await page.textContent('#experiments tbody')).toContain('</script><img src=x onerror=alert(1)>');
    expect(await page.$$eval('#experiments img', (imgs) => imgs.length)).toBe(0);
    await page.fill('#filter', '');

    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    console.log(`report screenshot: ${SCREENSHOT}`);
    expect(problems).toEqual([]);
  }, 60_000);

  it('cairn ui serves the same page live, and nothing else', async () => {
    const server = await startReportServer(root, { port: 0, host: '127.0.0.1' });
    try {
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain('<title>Cairn experiments</title>');
      expect(html).toContain('"project":"search"');
      for (const path of ['etc/passwd', 'report/index.html', '%2e%2e/etc/passwd', 'index.html?x=1']) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
      }
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
