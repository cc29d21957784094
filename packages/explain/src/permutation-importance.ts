/**
 * Permutation importance exactly as scikit-learn 1.2's
 * `sklearn.inspection.permutation_importance` computes it (same numbers for
 * the same predictions and `random_state`): one seed is drawn with
 * `RandomState(random_state).randint(2**31)`, every column restarts a
 * `RandomState` from that seed, and each repeat shuffles the row index again
 * and applies it to the already-permuted column (sklearn's
 * `X_permuted[:, col] = X_permuted[shuffling_idx, col]`). Importances are the
 * baseline score minus each permuted score; their mean and population
 * standard deviation use numpy's summation order.
 */
import { NumpyRandomState, npMean } from '@cairn/metrics';
import { cairnError } from '@cairn/errors';
import { explainError } from './errors';

/** A feature value; null is a missing value, shuffled like any other. */
export type Cell = number | string | null;

export interface PermutationImportanceOptions<Y> {
  /** Rows of feature values, one array per row, columns in `features` order. */
  rows: readonly (readonly Cell[])[];
  /** Target of every row. */
  y: readonly Y[];
  /** Feature names, for the result (one per column). */
  features: readonly string[];
  /** The model: one prediction per row, in order. Called once for the baseline and once per feature. */
  predict: (rows: Cell[][]) => Promise<readonly Y[]> | readonly Y[];
  /** Higher is better (scikit-learn's scorer convention), e.g. accuracy or R². */
  score: (yTrue: readonly Y[], yPred: readonly Y[]) => number;
  /** Shuffles per feature (scikit-learn's `n_repeats`, default 5). */
  nRepeats?: number;
  /** scikit-learn's `random_state`: an integer in [0, 2^32 − 1]. */
  seed: number;
}

export interface FeatureImportance {
  feature: string;
  importanceMean: number;
  importanceStd: number;
  /** Baseline score minus the score of each repeat. */
  importances: number[];
}

export interface PermutationImportanceResult {
  baseline: number;
  features: FeatureImportance[];
}

function checkOptions<Y>(options: PermutationImportanceOptions<Y>): { nRepeats: number; width: number } {
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1 || nRepeats > 10_000) {
    throw cairnError('OPTION_INVALID', `nRepeats is ${nRepeats}: it must be an integer from 1 to 10000`, {
      data: { option: 'nRepeats', value: nRepeats },
    });
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw cairnError(
      'OPTION_INVALID',
      `seed is ${options.seed}: it must be an integer from 0 to 4294967295 (numpy's RandomState range)`,
      { data: { option: 'seed', value: options.seed } },
    );
  }
  if (options.rows.length === 0) {
    throw explainError('EXPLAIN_INVALID_INPUT', 'permutation importance needs at least one row', {
      field: 'rows',
    });
  }
  if (options.y.length !== options.rows.length) {
    throw explainError(
      'EXPLAIN_INVALID_INPUT',
      `there are ${options.rows.length} rows but ${options.y.length} targets: they must match`,
      { field: 'y' },
    );
  }
  const width = options.features.length;
  options.rows.forEach((row, index) => {
    if (row.length !== width) {
      throw explainError(
        'EXPLAIN_INVALID_INPUT',
        `row ${index} has ${row.length} values but there are ${width} features`,
        { row: index },
      );
    }
  });
  return { nRepeats, width };
}

async function scored<Y>(options: PermutationImportanceOptions<Y>, rows: Cell[][]): Promise<number> {
  const predictions = await options.predict(rows);
  if (predictions.length !== rows.length) {
    throw explainError(
      'EXPLAIN_INVALID_INPUT',
      `the model returned ${predictions.length} predictions for ${rows.length} rows`,
      { field: 'predictions' },
    );
  }
  return options.score(options.y, predictions);
}

/** numpy's `np.std(x)` (ddof = 0): mean of squared deviations from `np.mean(x)`, square-rooted. */
function npStd(values: readonly number[]): number {
  const mean = npMean(values);
  return Math.sqrt(npMean(values.map((v) => (v - mean) * (v - mean))));
}

export async function permutationImportance<Y>(
  options: PermutationImportanceOptions<Y>,
): Promise<PermutationImportanceResult> {
  const { nRepeats, width } = checkOptions(options);
  const rows = options.rows.map((row) => [...row]);
  const baseline = await scored(options, rows);
  const columnSeed = new NumpyRandomState(options.seed).randint(2 ** 31);
  const features: FeatureImportance[] = [];
  for (let column = 0; column < width; column++) {
    const random = new NumpyRandomState(columnSeed);
    const permuted = rows.map((row) => [...row]);
    const index = Array.from({ length: rows.length }, (_, i) => i);
    const importances: number[] = [];
    for (let repeat = 0; repeat < nRepeats; repeat++) {
      random.shuffle(index);
      const shuffled = index.map((i) => permuted[i]![column]!);
      permuted.forEach((row, i) => (row[column] = shuffled[i]!));
      importances.push(baseline - (await scored(options, permuted)));
    }
    features.push({
      feature: options.features[column]!,
      importanceMean: npMean(importances),
      importanceStd: npStd(importances),
      importances,
    });
  }
  return { baseline, features };
}
