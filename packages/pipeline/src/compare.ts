import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cairnError, CheckError } from '@cairn/errors';
import { compareMetrics, readFileAtRef, renderCompareMarkdown, renderCompareTable } from '@cairn/evaluation';
import { writeFileAtomic, writeJsonAtomic } from '@cairn/fs-atomic';
import type { CommittedMetrics } from './evaluate';
import { resolveTrainable } from './trainable';
import { discoverProjects, outputPaths } from './workspace';

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

function parseCommitted(text: string, file: string): CommittedMetrics {
  try {
    const value = JSON.parse(text) as CommittedMetrics;
    if (value && typeof value.metrics === 'object') return value;
  } catch {
    /* reported below */
  }
  throw cairnError('METRICS_INVALID', `${file}: not a Cairn metrics file (expected {"metrics": {...}})`, {
    data: { file },
    hint: 'it is written by the evaluate target',
  });
}

/**
 * The CI gate: the model's fresh metrics.json against the one committed at the
 * base ref (read from git objects, no checkout), judged by the model's gates.
 * Writes a Markdown report fit for a pull-request comment; fails (exit 1) when
 * any rule fails.
 */
export async function compare(options: CompareOptions) {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { workspaceRoot } = options;
  const trainable = resolveTrainable(await discoverProjects(workspaceRoot), options.project);
  const paths = outputPaths(trainable.root);
  const currentFile = join(workspaceRoot, paths.committedMetrics);
  const current = parseCommitted(await readFile(currentFile, 'utf8'), paths.committedMetrics);
  const baseRef = options.baseRef ?? process.env.CAIRN_BASE_REF ?? process.env.NX_BASE ?? 'main';
  const baselineText = await readFileAtRef(workspaceRoot, baseRef, paths.committedMetrics);
  const baseline =
    baselineText === undefined
      ? undefined
      : parseCommitted(baselineText, `${baseRef}:${paths.committedMetrics}`);

  const report = compareMetrics(current.metrics, baseline?.metrics, trainable.config.gates ?? {});
  const markdown = renderCompareMarkdown(report, {
    model: trainable.name,
    baseRef,
    currentDataHashes: current.data,
    baselineDataHashes: baseline?.data,
  });
  const reportFile = join(paths.compareDir, 'report.md');
  await writeFileAtomic(join(workspaceRoot, reportFile), markdown);
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
