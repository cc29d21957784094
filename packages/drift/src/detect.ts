/**
 * Column-by-column drift detection with Evidently 0.4's defaults: the test is
 * chosen by column type, distinct-value count and reference size, and the
 * dataset drifts when at least half of the columns do.
 */
import { parseNumber } from '@cairn/table';
import type { Value } from './binning';
import { chiSquare, jensenShannon, psi, zTestProportions } from './distances';
import { driftError } from './errors';
import { isTestName, TEST_NAMES, type TestName } from './test-names';
import {
  andersonDarling,
  cramerVonMises,
  empiricalMmd,
  eppsSingleton,
  fisherExactTest,
  gTest,
  hellingerDistance,
  klDivergence,
  mannWhitneyLess,
  tTestIndependent,
  tvdTest,
} from './evidently-tests';
import { ks2samp } from './ks';
import { energyDistance, wasserstein, wassersteinNormalized } from './wasserstein';

export interface TestSpec {
  /** p-value tests drift when p < threshold; distances when statistic >= threshold (unless `inclusive` says otherwise). */
  kind: 'p_value' | 'distance';
  defaultThreshold: number;
  numericalOnly: boolean;
  /**
   * Evidently's comparison where it differs from the rule above:
   * `cramer_von_mises` drifts when p <= threshold, `ed` when distance > threshold.
   */
  inclusive?: boolean;
}

export const TESTS: Record<TestName, TestSpec> = {
  ks: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: true },
  chisquare: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: false },
  ztest: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: false },
  wasserstein: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: true },
  wasserstein_norm: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: true },
  psi: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: false },
  jensenshannon: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: false },
  z: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: false },
  hellinger: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: false },
  fisher_exact: { kind: 'p_value', defaultThreshold: 0.1, numericalOnly: false },
  g_test: { kind: 'p_value', defaultThreshold: 0.1, numericalOnly: false },
  mannw: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: true },
  t_test: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: true },
  anderson: { kind: 'p_value', defaultThreshold: 0.1, numericalOnly: true },
  cramer_von_mises: { kind: 'p_value', defaultThreshold: 0.1, numericalOnly: true, inclusive: true },
  ed: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: true, inclusive: false },
  es: { kind: 'p_value', defaultThreshold: 0.05, numericalOnly: true },
  TVD: { kind: 'p_value', defaultThreshold: 0.1, numericalOnly: false },
  empirical_mmd: { kind: 'p_value', defaultThreshold: 0.1, numericalOnly: true },
  kl_div: { kind: 'distance', defaultThreshold: 0.1, numericalOnly: false },
};

/** How the test compares with its threshold, for reports: "p <", "p <=", ">=" or ">". */
export function thresholdRule(spec: TestSpec): 'p <' | 'p <=' | '>=' | '>' {
  if (spec.kind === 'p_value') return spec.inclusive ? 'p <=' : 'p <';
  return spec.inclusive === false ? '>' : '>=';
}

/** Whether a result crosses its threshold, with Evidently's comparison for the test. */
export function isDrift(
  spec: TestSpec,
  result: { statistic: number; pValue?: number },
  threshold: number,
): boolean {
  if (spec.kind === 'p_value') {
    const p = result.pValue as number;
    return spec.inclusive ? p <= threshold : p < threshold;
  }
  return spec.inclusive === false ? result.statistic > threshold : result.statistic >= threshold;
}

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;
export type Rows = readonly Row[];

export interface ColumnTestOptions {
  test?: TestName;
  threshold?: number;
}

export interface DetectDriftOptions {
  /** Columns to test (default: every column present in both samples, in reference order). */
  columns?: string[];
  /** Per-column test and/or threshold. */
  tests?: Record<string, ColumnTestOptions>;
  /** One test for every column without a per-column choice (default: Evidently's choice). */
  test?: TestName;
  /** Threshold for every column without a per-column threshold (default: the test's own). */
  threshold?: number;
  /** Share of drifted columns at which the dataset drifts (default 0.5). */
  shareThreshold?: number;
  /** Columns compared as categories even when every value is a number (`cairn drift --categorical`). */
  categorical?: string[];
}

export interface ColumnDrift {
  test: TestName;
  statistic: number;
  p_value?: number;
  threshold: number;
  drift: boolean;
}

export interface DriftReport {
  columns: Record<string, ColumnDrift>;
  share: number;
  drift: boolean;
}

export function columnNames(rows: Rows): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

function isMissing(cell: Cell): boolean {
  return (
    cell === null || cell === undefined || cell === '' || (typeof cell === 'number' && Number.isNaN(cell))
  );
}

function asNumber(cell: Cell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  return parseNumber(cell);
}

export interface ColumnSamples {
  numerical: boolean;
  reference: Value[];
  current: Value[];
}

/**
 * Extracts a column from both samples, dropping missing cells. The column is
 * numerical when every non-missing cell of both samples is a finite number.
 */
export function columnSamples(
  reference: Rows,
  current: Rows,
  column: string,
  forceCategorical = false,
): ColumnSamples {
  const ref = reference.map((r) => r[column]).filter((c) => !isMissing(c));
  const cur = current.map((r) => r[column]).filter((c) => !isMissing(c));
  const numerical =
    !forceCategorical &&
    ref.every((c) => asNumber(c) !== undefined) &&
    cur.every((c) => asNumber(c) !== undefined);
  const convert = (c: Cell): Value => (numerical ? (asNumber(c) as number) : String(c));
  return { numerical, reference: ref.map(convert), current: cur.map(convert) };
}

/** Evidently's `_get_default_stattest` (0.4): by type, distinct values of both samples, and reference size. */
export function defaultTest(samples: ColumnSamples): TestName {
  const distinct = new Set<Value>([...samples.reference, ...samples.current]).size;
  if (samples.reference.length <= 1000) {
    if (samples.numerical && distinct > 5) return 'ks';
    return distinct > 2 ? 'chisquare' : 'ztest';
  }
  if (samples.numerical && distinct > 5) return 'wasserstein_norm';
  return 'jensenshannon';
}

export function runTest(test: TestName, samples: ColumnSamples): { statistic: number; pValue?: number } {
  const { reference, current, numerical } = samples;
  switch (test) {
    case 'ks': {
      const r = ks2samp(reference as number[], current as number[]);
      return { statistic: r.statistic, pValue: r.pValue };
    }
    case 'chisquare':
      return chiSquare(reference, current);
    case 'ztest':
    case 'z':
      return zTestProportions(reference, current);
    case 'wasserstein':
      return { statistic: wasserstein(reference as number[], current as number[]) };
    case 'wasserstein_norm':
      return { statistic: wassersteinNormalized(reference as number[], current as number[]) };
    case 'psi':
      return { statistic: psi(reference, current, { numerical }) };
    case 'jensenshannon':
      return { statistic: jensenShannon(reference, current, { numerical }) };
    case 'hellinger':
      return { statistic: hellingerDistance(reference, current, numerical) };
    case 'kl_div':
      return { statistic: klDivergence(reference, current, numerical) };
    case 'fisher_exact':
      return fisherExactTest(reference, current);
    case 'g_test':
      return gTest(reference, current);
    case 'TVD':
      return tvdTest(reference, current);
    case 'mannw':
      return mannWhitneyLess(reference as number[], current as number[]);
    case 't_test':
      return tTestIndependent(reference as number[], current as number[]);
    case 'anderson':
      return andersonDarling(reference as number[], current as number[]);
    case 'cramer_von_mises':
      return cramerVonMises(reference as number[], current as number[]);
    case 'ed':
      return { statistic: energyDistance(reference as number[], current as number[]) };
    case 'es':
      return eppsSingleton(reference as number[], current as number[]);
    case 'empirical_mmd':
      return empiricalMmd(reference as number[], current as number[]);
  }
}

function checkThreshold(value: number, where: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw driftError(
      'DRIFT_INVALID_THRESHOLD',
      `${where} is ${value}: a threshold must be a finite number >= 0`,
      { where },
    );
  }
  return value;
}

export function detectDrift(reference: Rows, current: Rows, options: DetectDriftOptions = {}): DriftReport {
  const refColumns = columnNames(reference);
  const curColumns = new Set(columnNames(current));
  const available = refColumns.filter((c) => curColumns.has(c));
  const requested = options.columns && options.columns.length > 0 ? options.columns : available;
  const categorical = new Set(options.categorical ?? []);
  for (const column of [...requested, ...Object.keys(options.tests ?? {}), ...categorical]) {
    if (!available.includes(column)) {
      throw driftError(
        'DRIFT_UNKNOWN_COLUMN',
        `unknown column "${column}": columns in both samples are ${available.map((c) => `"${c}"`).join(', ') || '(none)'}`,
        { column, valid: available },
      );
    }
  }
  if (requested.length === 0) {
    throw driftError('DRIFT_NO_COLUMNS', 'the reference and current samples have no column in common', {
      reference: refColumns,
      current: [...curColumns],
    });
  }
  if (options.test !== undefined && !isTestName(options.test)) {
    throw driftError(
      'DRIFT_UNKNOWN_TEST',
      `unknown test "${String(options.test)}": valid tests are ${TEST_NAMES.join(', ')}`,
      { test: options.test },
    );
  }
  const globalThreshold =
    options.threshold === undefined ? undefined : checkThreshold(options.threshold, 'threshold');
  const shareThreshold = options.shareThreshold ?? 0.5;
  checkThreshold(shareThreshold, 'shareThreshold');

  const columns: Record<string, ColumnDrift> = {};
  let drifted = 0;
  for (const column of requested) {
    const samples = columnSamples(reference, current, column, categorical.has(column));
    for (const [name, sample] of [
      ['reference', samples.reference],
      ['current', samples.current],
    ] as const) {
      if (sample.length === 0) {
        throw driftError('DRIFT_EMPTY_SAMPLE', `column "${column}" has no values in the ${name} sample`, {
          column,
          sample: name,
        });
      }
    }
    const perColumn = options.tests?.[column] ?? {};
    const test = perColumn.test ?? options.test ?? defaultTest(samples);
    if (!isTestName(test)) {
      throw driftError(
        'DRIFT_UNKNOWN_TEST',
        `unknown test "${String(test)}" for column "${column}": valid tests are ${TEST_NAMES.join(', ')}`,
        { column, test },
      );
    }
    const spec = TESTS[test];
    if (spec.numericalOnly && !samples.numerical) {
      throw driftError(
        'DRIFT_TEST_NOT_APPLICABLE',
        `test "${test}" needs a numerical column, but column "${column}" has non-numeric values`,
        { column, test },
        'use chisquare, ztest, psi or jensenshannon for categorical columns',
      );
    }
    const threshold =
      perColumn.threshold !== undefined
        ? checkThreshold(perColumn.threshold, `tests.${column}.threshold`)
        : (globalThreshold ?? spec.defaultThreshold);
    const result = runTest(test, samples);
    const drift = isDrift(spec, result, threshold);
    if (drift) drifted++;
    columns[column] = {
      test,
      statistic: result.statistic,
      ...(spec.kind === 'p_value' ? { p_value: result.pValue as number } : {}),
      threshold,
      drift,
    };
  }
  const share = drifted / requested.length;
  return { columns, share, drift: share >= shareThreshold };
}
