import { CairnError, cairnError } from '@cairn/errors';
import { TEST_NAMES, isTestName } from '@cairn/drift/test-names';
import type { DriftReport, TestName } from '@cairn/drift';
import { driftFiles, type DriftFilesOptions } from '@cairn/pipeline/files';

export interface DriftCommandOptions {
  reference?: string;
  current?: string;
  test?: string;
  column?: string[];
  threshold?: string;
  share?: string;
  categorical?: string[];
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

export interface DriftTestChoice {
  test?: TestName;
  threshold?: number;
  categorical?: string[];
}

/** --test, --threshold and --categorical, shared by `cairn drift` and `cairn task drift`. */
export function parseDriftTestChoice(options: {
  test?: string;
  threshold?: string;
  categorical?: string[];
}): DriftTestChoice {
  let test: TestName | undefined;
  if (options.test !== undefined) {
    if (!isTestName(options.test))
      throw invalidOption('test', options.test, `must be one of ${TEST_NAMES.join(', ')}`);
    test = options.test;
  }
  return {
    ...(test ? { test } : {}),
    ...(options.threshold !== undefined ? { threshold: parseNumber('threshold', options.threshold) } : {}),
    ...(options.categorical && options.categorical.length > 0 ? { categorical: options.categorical } : {}),
  };
}

/** The command line as the pipeline's options: required files, a known test, numbers ≥ 0. */
function parseDriftOptions(options: DriftCommandOptions): DriftFilesOptions {
  if (!options.reference)
    throw cairnError('OPTION_REQUIRED', '--reference <file> is required', {
      data: { option: 'reference' },
    });
  if (!options.current)
    throw cairnError('OPTION_REQUIRED', '--current <file> is required', {
      data: { option: 'current' },
    });
  return {
    reference: options.reference,
    current: options.current,
    columns: options.column,
    ...parseDriftTestChoice(options),
    shareThreshold: parseNumber('share', options.share),
    html: options.html,
  };
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

/** The command's whole run: the report and the optional HTML file (the caller sets exit 1 on drift). */
export function runDriftCommand(options: DriftCommandOptions): Promise<DriftReport> {
  return driftFiles(parseDriftOptions(options));
}
