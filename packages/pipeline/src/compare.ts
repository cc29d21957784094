import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cairnError, CheckError, readFailure } from '@cairn/errors';
import {
  compareMetrics,
  renderCompareMarkdown,
  renderCompareTable,
  type CompareReport,
} from '@cairn/evaluation';
import { readFileAtRef } from '@cairn/git';
import { writeFileAtomic, writeJsonAtomic } from '@cairn/fs-atomic';
import { validateGates, type GateRule } from './config';
import { resolveTrainable } from './trainable';
import { evaluationPlots } from './experiment-report';
import { confusionSpec, prSpec, renderSvg, rocSpec } from './report-specs';
import { discoverProjects, outputPaths } from './workspace';

/** The metrics of one run, and the data hashes they were computed on when the file records them. */
export interface MetricsFile {
  metrics: Record<string, number>;
  data?: Record<string, string>;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw cairnError('COMPARE_INVALID_JSON', `${source}: not valid JSON (${(error as Error).message})`, {
      data: { file: source },
    });
  }
}

/** `source` is how the file is named in errors (workspace-relative where the caller knows it). */
async function readText(file: string, source = file): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw readFailure(error, source);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A metrics file is either a flat object of numbers or `{ metrics: {...}, data: {...} }`
 * (the committed metrics.json the evaluate target writes). Non-numeric entries
 * are ignored; `null` (how JSON writes NaN) reads as NaN.
 */
export function parseMetricsFile(text: string, source: string): MetricsFile {
  const value = parseJson(text, source);
  if (!isRecord(value))
    throw cairnError('COMPARE_INVALID_METRICS', `${source}: expected a JSON object of metrics`, {
      data: { file: source },
      hint: 'the evaluate target writes one: {"metrics": {...}}',
    });
  const raw = isRecord(value.metrics) ? value.metrics : value;
  const metrics: Record<string, number> = {};
  for (const [key, v] of Object.entries(raw))
    if (typeof v === 'number' || v === null) metrics[key] = v === null ? Number.NaN : v;
  const data: Record<string, string> = {};
  if (isRecord(value.data))
    for (const [key, v] of Object.entries(value.data)) if (typeof v === 'string') data[key] = v;
  return { metrics, ...(Object.keys(data).length > 0 ? { data } : {}) };
}

/** Rules are either `{ metric: rule }` or a model.json whose `gates` holds them. */
export function parseRulesFile(text: string, source: string): Record<string, GateRule> {
  const value = parseJson(text, source);
  if (!isRecord(value))
    throw cairnError('COMPARE_INVALID_RULES', `${source}: expected a JSON object of gate rules`, {
      data: { file: source },
    });
  return isRecord(value.gates)
    ? validateGates(value.gates, source, '/gates')
    : validateGates(value, source, '');
}

export interface CompareFilesOptions {
  /** Metrics JSON of this run. */
  current: string;
  /** Baseline metrics JSON (exclusive with `baseRef`). */
  baseline?: string;
  /** Git ref to read the baseline from, at `path` (default: `current`), without a checkout. */
  baseRef?: string;
  path?: string;
  /** Gate rules, or a model.json with `gates`. */
  rules: string;
  /** Name shown in the report (default: `current`). */
  model?: string;
  /** Folder relative paths are resolved against, in the repository `baseRef` is read from (default: the working directory). */
  cwd?: string;
}

/** Gates one metrics file against a baseline file, or the same file at a git ref. Writes nothing. */
export async function compareFiles(
  options: CompareFilesOptions,
): Promise<{ report: CompareReport; markdown: string }> {
  if (options.baseline && options.baseRef) {
    throw cairnError('OPTIONS_CONFLICT', '--baseline and --base-ref are mutually exclusive', {
      data: { options: ['baseline', 'base-ref'] },
    });
  }
  const cwd = options.cwd ?? process.cwd();
  const read = (file: string) => readText(resolve(cwd, file), file);
  const current = parseMetricsFile(await read(options.current), options.current);
  const rules = parseRulesFile(await read(options.rules), options.rules);
  let baseline: MetricsFile | undefined;
  if (options.baseline) {
    baseline = parseMetricsFile(await read(options.baseline), options.baseline);
  } else if (options.baseRef) {
    const file = options.path ?? options.current;
    const text = await readFileAtRef(cwd, options.baseRef, resolve(cwd, file));
    if (text !== undefined) baseline = parseMetricsFile(text, `${options.baseRef}:${file}`);
  }
  const report = compareMetrics(current.metrics, baseline?.metrics, rules);
  const markdown = renderCompareMarkdown(report, {
    model: options.model ?? options.current,
    ...(options.baseRef
      ? { baseRef: options.baseRef }
      : options.baseline
        ? { baseRef: options.baseline }
        : {}),
    ...(current.data ? { currentDataHashes: current.data } : {}),
    ...(baseline?.data ? { baselineDataHashes: baseline.data } : {}),
  });
  return { report, markdown };
}

export interface CompareOptions {
  workspaceRoot: string;
  project: string;
  /** Git ref holding the baseline; default CAIRN_BASE_REF, then NX_BASE, then `main`. */
  baseRef?: string;
  log?: (line: string) => void;
}

export class GateFailedError extends CheckError<{ project: string; failed: string[] }> {
  constructor(project: string, failed: string[], reportFile: string) {
    super('GATE_FAILED', `${project}: the compare gate failed on ${failed.join(', ')}`, {
      data: { project, failed },
      hint: `see ${reportFile}`,
    });
  }
}

/**
 * The evaluation plots as SVG files beside the compare report (CI uploads the
 * folder as an artifact; the Markdown embeds them by relative path).
 */
async function writeComparePlots(
  workspaceRoot: string,
  root: string,
  project: string,
  compareDir: string,
): Promise<{ title: string; file: string }[]> {
  const evaluation = evaluationPlots(workspaceRoot, root, project);
  if (!evaluation) return [];
  const specs = [
    { title: 'confusion matrix', file: 'confusion.svg', spec: confusionSpec(evaluation) },
    { title: 'ROC', file: 'roc.svg', spec: rocSpec([evaluation]) },
    { title: 'precision–recall', file: 'pr.svg', spec: prSpec([evaluation]) },
  ];
  const written: { title: string; file: string }[] = [];
  for (const { title, file, spec } of specs) {
    if (!spec) continue;
    await writeFileAtomic(join(workspaceRoot, compareDir, file), await renderSvg(spec));
    written.push({ title, file });
  }
  return written;
}

function plotsMarkdown(plots: { title: string; file: string }[]): string {
  if (plots.length === 0) return '';
  return `\n### Evaluation plots\n\n${plots.map((plot) => `![${plot.title}](${plot.file})`).join(' ')}\n\nEvery run, curve and study: \`npx cairn report\` (or \`npx cairn ui\`).\n`;
}

/**
 * The CI gate: the model's fresh metrics.json against the one committed at the
 * base ref (read from git objects, no checkout), judged by the model's gates.
 * Writes a Markdown report fit for a pull-request comment; fails (exit 1) when
 * any rule fails.
 */
export async function compare(options: CompareOptions): Promise<CompareReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { workspaceRoot } = options;
  const trainable = resolveTrainable(await discoverProjects(workspaceRoot), options.project);
  const paths = outputPaths(trainable.root);
  const currentText = await readText(join(workspaceRoot, paths.committedMetrics), paths.committedMetrics);
  const current = parseMetricsFile(currentText, paths.committedMetrics);
  const baseRef = options.baseRef ?? process.env.CAIRN_BASE_REF ?? process.env.NX_BASE ?? 'main';
  const baselineText = await readFileAtRef(workspaceRoot, baseRef, paths.committedMetrics);
  const baseline =
    baselineText === undefined
      ? undefined
      : parseMetricsFile(baselineText, `${baseRef}:${paths.committedMetrics}`);

  const report = compareMetrics(current.metrics, baseline?.metrics, trainable.config.gates ?? {});
  const markdown = renderCompareMarkdown(report, {
    model: trainable.name,
    baseRef,
    currentDataHashes: current.data,
    baselineDataHashes: baseline?.data,
  });
  const reportFile = join(paths.compareDir, 'report.md');
  const plots = await writeComparePlots(workspaceRoot, trainable.root, trainable.name, paths.compareDir);
  await writeFileAtomic(join(workspaceRoot, reportFile), `${markdown}${plotsMarkdown(plots)}`);
  await writeJsonAtomic(join(workspaceRoot, paths.compareDir, 'report.json'), { baseRef, ...report });
  log(renderCompareTable(report));
  if (!report.passed) {
    throw new GateFailedError(
      trainable.name,
      report.rows.filter((row) => !row.passed).map((row) => row.metric),
      reportFile,
    );
  }
  return report;
}
