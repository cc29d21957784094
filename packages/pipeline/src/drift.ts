import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckError } from '@cairn/errors';
import type { DriftReport, TestName } from '@cairn/drift';
import { writeFileAtomic, writeJsonAtomic } from '@cairn/fs-atomic';
import { hashFile } from '@cairn/hash';
import { readTable } from '@cairn/table';
import { prepareData } from './train';
import { outputPaths } from './workspace';

export interface DriftOptions {
  workspaceRoot: string;
  project: string;
  /** New data to compare with the training split (CSV, JSON or JSON lines by extension). */
  current: string;
  /** `fail` (default): exit 1 on drift. `retrain`: record a retrain trigger in the model's folder instead. */
  onDrift?: 'fail' | 'retrain';
  /** One test for every feature (any Evidently test name); default: chosen per column as Evidently does. */
  test?: TestName;
  /** Threshold for every feature; default: the test's own. */
  threshold?: number;
  /** Features compared as categories even when their values are numbers. */
  categorical?: string[];
  /** When `current` is a request-log folder of `cairn serve`: the most recent rows compared (default all kept). */
  window?: number;
  log?: (line: string) => void;
}

export class DriftDetectedError extends CheckError<{ project: string; share: number; columns: string[] }> {
  constructor(project: string, report: DriftReport, reportFile: string) {
    const columns = Object.entries(report.columns)
      .filter(([, c]) => c.drift)
      .map(([name]) => name);
    super(
      'DRIFT_DETECTED',
      `${project}: data drift in ${columns.length} column(s) (${(report.share * 100).toFixed(0)}%): ${columns.join(', ')}`,
      {
        data: { project, share: report.share, columns },
        hint: `see ${reportFile}; rerun with --on-drift retrain to record a retrain trigger instead of failing`,
      },
    );
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Committing this file changes the model's inputs, so the next `nx affected -t train` retrains it. */
export const RETRAIN_TRIGGER = 'retrain-trigger.json';

/**
 * Compares the model's training data (its train split) with new data over the
 * model's features, writes an HTML + JSON report, and either fails or records
 * a retrain trigger when the dataset drifted.
 */
export async function drift(options: DriftOptions): Promise<DriftReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const data = await prepareData(workspaceRoot, options.project);
  const current = (await isDirectory(options.current))
    ? { rows: (await import('@cairn/serve')).readLoggedWindow(options.current, { rows: options.window }) }
    : readTable(options.current);
  const { detectDrift, renderDriftHtml } = await import('@cairn/drift');
  const report = detectDrift(data.train, current.rows, {
    columns: data.features,
    ...(options.test ? { test: options.test } : {}),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.categorical ? { categorical: options.categorical } : {}),
  });
  const paths = outputPaths(data.trainable.root);
  const htmlFile = join(paths.driftDir, 'report.html');
  await writeJsonAtomic(join(workspaceRoot, paths.driftDir, 'report.json'), report);
  await writeFileAtomic(
    join(workspaceRoot, htmlFile),
    renderDriftHtml(report, {
      title: `Drift report: ${data.trainable.name}`,
      reference: `training split of ${data.datasets[0]!.name} (${data.datasets[0]!.pointer.hash.slice(0, 12)})`,
      current: options.current,
    }),
  );
  log(
    `cairn: ${data.trainable.name}: ${(report.share * 100).toFixed(0)}% of ${Object.keys(report.columns).length} features drifted${report.drift ? ' — DRIFT' : ''}`,
  );
  if (!report.drift) return report;
  if (options.onDrift === 'retrain') {
    const trigger = join(workspaceRoot, data.trainable.root, RETRAIN_TRIGGER);
    await writeJsonAtomic(trigger, {
      reason: 'drift',
      current: options.current,
      ...(current.rows.length > 0 && (await isDirectory(options.current))
        ? { window: current.rows.length }
        : { currentHash: (await hashFile(options.current)).hash }),
      share: report.share,
      drifted: Object.entries(report.columns)
        .filter(([, c]) => c.drift)
        .map(([name]) => name),
    });
    log(
      `cairn: wrote ${join(data.trainable.root, RETRAIN_TRIGGER)}: commit it and \`nx affected -t train\` retrains ${data.trainable.name}`,
    );
    return report;
  }
  throw new DriftDetectedError(data.trainable.name, report, htmlFile);
}
