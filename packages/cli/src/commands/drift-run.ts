import * as path from 'node:path';
import { CairnError, cairnError } from '@cairn/errors';
import { TEST_NAMES, detectDrift, isTestName, renderDriftHtml } from '@cairn/drift';
import type { DriftReport, TestName } from '@cairn/drift';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { readTable } from '@cairn/table';

export interface DriftCommandOptions {
  reference?: string;
  current?: string;
  test?: string;
  column?: string[];
  threshold?: string;
  share?: string;
  json?: boolean;
  html?: string;
}

function invalidOption(option: string, value: string, expected: string): CairnError {
  return cairnError('OPTION_INVALID', `--${option} ${value}: ${expected}`, {
    data: { option, value },
  });
}

function parseNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw invalidOption(option, value, 'must be a number >= 0');
  return n;
}

/** Runs `cairn drift` on two CSV files and returns the report (no printing). */
export function driftForFiles(options: DriftCommandOptions): DriftReport {
  if (!options.reference)
    throw cairnError('OPTION_REQUIRED', '--reference <file> is required', {
      data: { option: 'reference' },
    });
  if (!options.current)
    throw cairnError('OPTION_REQUIRED', '--current <file> is required', {
      data: { option: 'current' },
    });
  let test: TestName | undefined;
  if (options.test !== undefined) {
    if (!isTestName(options.test))
      throw invalidOption('test', options.test, `must be one of ${TEST_NAMES.join(', ')}`);
    test = options.test;
  }
  const threshold = parseNumber('threshold', options.threshold);
  const shareThreshold = parseNumber('share', options.share);
  const reference = readTable(options.reference).rows;
  const current = readTable(options.current).rows;
  return detectDrift(reference, current, {
    ...(options.column && options.column.length > 0 ? { columns: options.column } : {}),
    ...(test ? { test } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(shareThreshold !== undefined ? { shareThreshold } : {}),
  });
}

function formatNumber(x: number | undefined): string {
  if (x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && Math.abs(x) < 1e-4 ? x.toExponential(3) : x.toFixed(4);
}

export function renderDriftText(report: DriftReport): string {
  const names = Object.keys(report.columns);
  const width = Math.max(6, ...names.map((n) => n.length));
  const lines = [
    `${'column'.padEnd(width)}  ${'test'.padEnd(16)} ${'statistic'.padStart(10)} ${'p_value'.padStart(10)} ${'threshold'.padStart(10)}  result`,
  ];
  for (const name of names) {
    const c = report.columns[name];
    if (!c) continue;
    lines.push(
      `${name.padEnd(width)}  ${c.test.padEnd(16)} ${formatNumber(c.statistic).padStart(10)} ${formatNumber(c.p_value).padStart(10)} ${formatNumber(c.threshold).padStart(10)}  ${c.drift ? 'DRIFT' : 'ok'}`,
    );
  }
  const drifted = names.filter((n) => report.columns[n]?.drift).length;
  lines.push(
    '',
    `${drifted} of ${names.length} columns drifted (share ${formatNumber(report.share)}): ${report.drift ? 'dataset drift detected' : 'no dataset drift'}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The command's whole run: the report, the optional HTML file, and the exit status (1 on drift). */
export async function runDriftCommand(options: DriftCommandOptions): Promise<DriftReport> {
  const report = driftForFiles(options);
  if (options.html) {
    const html = renderDriftHtml(report, {
      reference: path.basename(options.reference as string),
      current: path.basename(options.current as string),
    });
    await writeFileAtomic(options.html, html);
  }
  return report;
}
