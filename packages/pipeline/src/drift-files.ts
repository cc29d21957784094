import { basename } from 'node:path';
import { detectDrift, renderDriftHtml, type DriftReport, type TestName } from '@cairn/drift';
import { readTable } from '@cairn/table';
import { writeFileAtomic } from '@cairn/fs-atomic';

export interface DriftFilesOptions {
  /** Reference CSV (header row), e.g. the training data. */
  reference: string;
  /** Current CSV (header row), e.g. new data or logged requests. */
  current: string;
  /** Columns to test; default: every column in both files. */
  columns?: string[];
  /** One test for every column; default: chosen per column as Evidently does. */
  test?: TestName;
  /** Threshold for every column (p-value tests: drift when p < x; distances: drift when ≥ x). */
  threshold?: number;
  /** Columns compared as categories even when their values are numbers. */
  categorical?: string[];
  /** Share of drifted columns at which the dataset drifts. */
  shareThreshold?: number;
  /** Also write a self-contained HTML report here. */
  html?: string;
}

/** Compares two CSV samples column by column; writes the HTML report when asked. Fails on nothing: drift is a result. */
export async function driftFiles(options: DriftFilesOptions): Promise<DriftReport> {
  const report = detectDrift(readTable(options.reference).rows, readTable(options.current).rows, {
    ...(options.columns && options.columns.length > 0 ? { columns: options.columns } : {}),
    ...(options.test ? { test: options.test } : {}),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.shareThreshold !== undefined ? { shareThreshold: options.shareThreshold } : {}),
    ...(options.categorical ? { categorical: options.categorical } : {}),
  });
  if (options.html) {
    const html = renderDriftHtml(report, {
      reference: basename(options.reference),
      current: basename(options.current),
    });
    await writeFileAtomic(options.html, html);
  }
  return report;
}
