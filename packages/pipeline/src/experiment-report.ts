import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { listExperiments, readExperiment, type IndexedRecord, type StepValue } from '@cairn/experiments';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { findRepository } from '@cairn/git';
import { REPORT_SCRIPT, REPORT_STYLE } from './experiment-report-page';
import { confusionSpec, prSpec, rocSpec, type EvaluationPlots } from './report-specs';
import { discoverProjects, outputPaths } from './workspace';

/** What the report page draws, embedded in it as JSON. */
export interface ReportData {
  generated: string;
  records: IndexedRecord[];
  /** Per-step values of the newest records that logged any (their curves). */
  curves: { id: string; project: string; metric: string; step: number; value: number }[];
  /** Vega-Lite specs of the evaluation plots (report-specs.ts, shared with the compare gate). */
  plots: { confusion: object[]; roc?: object; pr?: object };
  importance: { project: string; feature: string; importanceMean: number; importanceStd: number }[];
  lineage: { dataset: string; datasetHash: string; model: string; experiment?: string; artifact?: string }[];
}

const CURVE_RECORDS = 40;

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const isNumberArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item));

/** The plot data of a project's last evaluation (dist/…/evaluate/metrics.json), if it has a confusion matrix. */
export function evaluationPlots(
  workspaceRoot: string,
  root: string,
  project: string,
): EvaluationPlots | undefined {
  const evaluation = readJson(join(workspaceRoot, outputPaths(root).evaluateMetrics)) as
    { report?: Record<string, unknown> } | undefined;
  const report = evaluation?.report;
  if (!report || !Array.isArray(report.confusion_matrix) || !Array.isArray(report.labels)) return undefined;
  const roc = report.roc_curve as { fpr?: unknown; tpr?: unknown } | undefined;
  const pr = report.precision_recall_curve as { precision?: unknown; recall?: unknown } | undefined;
  return {
    project,
    labels: report.labels as (string | number)[],
    confusion: report.confusion_matrix as number[][],
    ...(roc && isNumberArray(roc.fpr) && isNumberArray(roc.tpr)
      ? { roc: { fpr: roc.fpr, tpr: roc.tpr } }
      : {}),
    ...(pr && isNumberArray(pr.precision) && isNumberArray(pr.recall)
      ? { pr: { precision: pr.precision, recall: pr.recall } }
      : {}),
  };
}

/** Gathers records, curves, evaluations, feature importances and lineage from the workspace. */
export async function reportData(workspaceRoot: string): Promise<ReportData> {
  const records = findRepository(workspaceRoot) ? (await listExperiments(workspaceRoot)).records : [];
  const curves: ReportData['curves'] = [];
  for (const record of records.filter((r) => r.stepCounts).slice(0, CURVE_RECORDS)) {
    const full = await readExperiment(workspaceRoot, record.id);
    for (const [metric, points] of Object.entries(full.steps ?? {}) as [string, StepValue[]][]) {
      for (const point of points) curves.push({ id: record.id, project: record.project, metric, ...point });
    }
  }
  const projects = await discoverProjects(workspaceRoot);
  const evaluations: EvaluationPlots[] = [];
  const importance: ReportData['importance'] = [];
  const lineage: ReportData['lineage'] = [];
  const trainables = [
    ...[...projects.models.values()].map((p) => ({
      name: p.name,
      root: p.root,
      model: p.name,
      datasets: p.config.datasets,
    })),
    ...[...projects.experiments.values()].map((p) => {
      const model = projects.models.get(p.config.model);
      return {
        name: p.name,
        root: p.root,
        model: p.config.model,
        datasets: p.config.datasets ?? model?.config.datasets ?? [],
      };
    }),
  ];
  for (const trainable of trainables) {
    const paths = outputPaths(trainable.root);
    const evaluation = evaluationPlots(workspaceRoot, trainable.root, trainable.name);
    if (evaluation) evaluations.push(evaluation);
    const explained = readJson(join(workspaceRoot, paths.base, 'explain', 'importance.json')) as
      { features?: { feature?: unknown; importanceMean?: unknown; importanceStd?: unknown }[] } | undefined;
    for (const entry of Array.isArray(explained?.features) ? explained.features : []) {
      if (typeof entry.feature === 'string' && typeof entry.importanceMean === 'number') {
        importance.push({
          project: trainable.name,
          feature: entry.feature,
          importanceMean: entry.importanceMean,
          importanceStd: typeof entry.importanceStd === 'number' ? entry.importanceStd : 0,
        });
      }
    }
    const pointer = readJson(join(workspaceRoot, paths.artifactPointer)) as { hash?: unknown } | undefined;
    for (const datasetName of trainable.datasets) {
      const dataset = projects.datasets.get(datasetName);
      const datasetPointer = dataset
        ? (readJson(join(workspaceRoot, dataset.root, `${dataset.config.data}.cairn`)) as
            { hash?: unknown } | undefined)
        : undefined;
      lineage.push({
        dataset: datasetName,
        datasetHash: typeof datasetPointer?.hash === 'string' ? datasetPointer.hash : '',
        model: trainable.model,
        ...(trainable.name !== trainable.model ? { experiment: trainable.name } : {}),
        ...(typeof pointer?.hash === 'string' ? { artifact: pointer.hash } : {}),
      });
    }
  }
  const plots = {
    confusion: evaluations
      .map(confusionSpec)
      .filter((spec): spec is Record<string, unknown> => spec !== undefined),
    roc: rocSpec(evaluations),
    pr: prSpec(evaluations),
  };
  return { generated: new Date().toISOString(), records, curves, plots, importance, lineage };
}

/** The vega and vega-lite browser builds, read from their npm packages (no CDN: the page works offline). */
function chartLibraries(): string {
  const require = createRequire(__filename);
  const vega = join(dirname(require.resolve('vega')), 'vega.min.js');
  const vegaLite = join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js');
  return [vega, vegaLite].map((file) => readFileSync(file, 'utf8')).join('\n;\n');
}

/** `</` inside embedded script text would end the script element early. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function renderReportHtml(data: ReportData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cairn experiments</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header><h1>Cairn experiments</h1><p id="summary"></p></header>
<main>
<section><h2>Experiments</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: text, or e.g. metrics.accuracy > 0.9" size="50"><span id="count"></span>
<button id="prev">‹ prev</button><span id="page"></span><button id="next">next ›</button></div>
<table id="experiments"><thead></thead><tbody></tbody></table></section>
<section><h2>Parameters vs objective</h2><div class="chart" id="parallel"></div></section>
<section><h2>Metric curves per step</h2><div class="chart" id="curves"></div></section>
<section><h2>Confusion matrices</h2><div id="confusion" class="charts"></div></section>
<section><h2>ROC and precision–recall</h2><div id="roc" class="charts"></div></section>
<section><h2>Feature importance</h2><div id="importance" class="charts"></div></section>
<section><h2>Lineage</h2><table id="lineage"><thead><tr><th>dataset version</th><th>model</th><th>experiment</th><th>artifact</th></tr></thead><tbody></tbody></table></section>
</main>
<script id="cairn-data" type="application/json">${scriptSafe(JSON.stringify(data))}</script>
<script>${scriptSafe(chartLibraries())}</script>
<script>${scriptSafe(REPORT_SCRIPT)}</script>
</body>
</html>
`;
}

/** Writes the self-contained report to `<outDir>/index.html`; returns its path. */
export async function writeExperimentReport(workspaceRoot: string, outDir: string): Promise<string> {
  const html = renderReportHtml(await reportData(workspaceRoot));
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'index.html');
  await writeFileAtomic(file, html);
  return file;
}

/**
 * Serves the report on `host:port` (`cairn ui`), rebuilt from the records on
 * every load of `/`; anything else is 404. Port 0 picks a free port.
 */
export async function startReportServer(
  workspaceRoot: string,
  options: { port: number; host: string },
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url !== '/' && request.url !== '/index.html')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    reportData(workspaceRoot).then(
      (data) =>
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end(renderReportHtml(data)),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, done);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
