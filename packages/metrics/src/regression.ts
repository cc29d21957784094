import { checkSameLength, metricsError } from './errors';
import { npMean, npSum } from './sum';
import { FLOAT64_EPS } from './probabilistic';

function check(what: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  checkSameLength(what, yTrue, yPred);
  for (const [name, a] of [
    ['y_true', yTrue],
    ['y_pred', yPred],
  ] as const) {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) {
        throw metricsError(
          'METRICS_INVALID_SCORE',
          `${what}: ${name} at row ${i} is ${String(a[i])}; values must be finite numbers`,
          {
            row: i,
            column: name,
          },
        );
      }
    }
  }
}

function mapped(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  f: (t: number, p: number) => number,
): Float64Array {
  const out = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) out[i] = f(yTrue[i]!, yPred[i]!);
  return out;
}

/** `mean_absolute_error`. */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check('mae', yTrue, yPred);
  return npMean(mapped(yTrue, yPred, (t, p) => Math.abs(p - t)));
}

/** `mean_squared_error`. */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check('mse', yTrue, yPred);
  return npMean(
    mapped(yTrue, yPred, (t, p) => {
      const d = t - p;
      return d * d;
    }),
  );
}

/** `mean_squared_error(squared=False)` of scikit-learn 1.2.1: sqrt of the MSE. */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/**
 * `r2_score` with force_finite=True: 1 when both sums of squares are 0, 0 when
 * only the total one is; NaN with fewer than two samples (scikit-learn warns and returns NaN).
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check('r2', yTrue, yPred);
  if (yTrue.length < 2) return NaN;
  const numerator = npSum(
    mapped(yTrue, yPred, (t, p) => {
      const d = t - p;
      return d * d;
    }),
  );
  const mean = npMean(yTrue);
  const denominator = npSum(
    mapped(yTrue, yPred, (t) => {
      const d = t - mean;
      return d * d;
    }),
  );
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

/** `mean_absolute_percentage_error`: a fraction (not %), |y_true| floored at float64 eps. */
export function meanAbsolutePercentageError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check('mape', yTrue, yPred);
  return npMean(mapped(yTrue, yPred, (t, p) => Math.abs(p - t) / Math.max(Math.abs(t), FLOAT64_EPS)));
}
