import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import {
  type CompareReport,
  type GateRule,
  compareMetrics,
  readFileAtRef,
  renderCompareMarkdown,
  renderCompareTable,
} from '@cairn/evaluation';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { printJson } from '../output';

interface CompareOptions {
  current: string;
  baseline?: string;
  baseRef?: string;
  path?: string;
  rules: string;
  model?: string;
  markdown?: string;
  json?: boolean;
}

interface MetricsFile {
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

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw cairnError(
      'COMPARE_FILE_NOT_FOUND',
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      {
        data: { file },
      },
    );
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A metrics file is either a flat object of numbers or `{ metrics: {...}, data: {...} }`
 * (the committed metrics.json the evaluate target writes). Non-numeric entries are ignored.
 */
export function parseMetricsFile(text: string, source: string): MetricsFile {
  const value = parseJson(text, source);
  if (!isRecord(value))
    throw cairnError('COMPARE_INVALID_METRICS', `${source}: expected a JSON object of metrics`, {
      data: { file: source },
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
  const gates = isRecord(value.gates) ? value.gates : value;
  return gates as Record<string, GateRule>;
}

export async function runCompare(
  options: CompareOptions,
): Promise<{ report: CompareReport; markdown: string }> {
  if (options.baseline && options.baseRef) {
    throw cairnError('OPTIONS_CONFLICT', '--baseline and --base-ref are mutually exclusive', {
      data: { options: ['baseline', 'base-ref'] },
    });
  }
  const current = parseMetricsFile(await readText(options.current), options.current);
  const rules = parseRulesFile(await readText(options.rules), options.rules);
  let baseline: MetricsFile | undefined;
  if (options.baseline) {
    baseline = parseMetricsFile(await readText(options.baseline), options.baseline);
  } else if (options.baseRef) {
    const file = options.path ?? options.current;
    const text = await readFileAtRef(process.cwd(), options.baseRef, resolve(file));
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

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'Gate metrics against a baseline (a file, or the same file at a git ref) with per-metric rules; exits 1 when a rule fails',
    )
    .requiredOption('--current <file>', 'metrics JSON of this run (flat, or { metrics, data })')
    .option('--baseline <file>', 'baseline metrics JSON')
    .option('--base-ref <ref>', 'read the baseline from git at this branch, tag or commit (no checkout)')
    .option('--path <file>', 'path of the metrics file in the repository for --base-ref (default: --current)')
    .requiredOption(
      '--rules <file>',
      'gate rules: { metric: { min, max, max_regression, min_improvement } } or a model.json with gates',
    )
    .option('--model <name>', 'name shown in the report')
    .option('--markdown <file>', 'write a Markdown report for a pull-request comment')
    .option('--json', 'print the comparison as JSON')
    .action(async (options: CompareOptions) => {
      const { report, markdown } = await runCompare(options);
      if (options.markdown) await writeFileAtomic(options.markdown, markdown);
      if (options.json) printJson(report);
      else process.stdout.write(renderCompareTable(report));
      if (!report.passed) process.exitCode = 1;
    });
}
