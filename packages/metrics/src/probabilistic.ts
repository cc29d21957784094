import { checkSameLength, metricsError } from './errors';
import { type Label, defaultPosLabel, distinctSorted, encodeLabels, labelIndex, sortLabels } from './labels';
import { type ScoreMatrix, scoreColumns } from './ranking';
import { npMean, npSum } from './sum';

/** float64 machine epsilon: scikit-learn 1.2.1's `eps="auto"` for float64 probabilities. */
export const FLOAT64_EPS = 2.220446049250313e-16;

export interface LogLossOptions {
  /**
   * Labels of the probability columns (sorted). Default: the sorted labels of
   * y_true. With a 1-D probability array, the probability of the greater label.
   */
  labels?: Label[];
  /** Clip probabilities to [eps, 1 - eps]; default float64 eps, as scikit-learn 1.2.1's "auto". */
  eps?: number;
}

/**
 * `log_loss` as scikit-learn 1.2.1 computes it: clip to [eps, 1-eps], a 1-D
 * input p becomes the two columns [1-p, p], each row is renormalized to sum
 * to 1, then the mean of -log(p[true label]).
 */
export function logLoss(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<number> | ScoreMatrix,
  options: LogLossOptions = {},
): number {
  const eps = options.eps ?? FLOAT64_EPS;
  const n = yTrue.length;
  if (n === 0) throw metricsError('METRICS_EMPTY_INPUT', 'log_loss: no samples');
  const present = distinctSorted(yTrue);
  const classes = options.labels ? sortLabels(options.labels) : present;
  if (classes.length === 1) {
    throw metricsError(
      'METRICS_UNDEFINED',
      `log_loss: y_true contains only one label (${JSON.stringify(classes[0])})`,
      { labels: classes },
      'pass all labels explicitly with the labels option',
    );
  }
  const unknown = present.filter((label) => !classes.includes(label));
  if (unknown.length > 0) {
    throw metricsError(
      'METRICS_INVALID_LABEL',
      `log_loss: y_true contains labels not in ${JSON.stringify(classes)}: ${JSON.stringify(unknown.slice(0, 10))}`,
      { labels: classes },
    );
  }
  const clip = (p: number): number => Math.min(Math.max(p, eps), 1 - eps);
  const loss = new Float64Array(n);
  const isVector = !('columns' in yPred) && n > 0 && typeof (yPred as ArrayLike<unknown>)[0] === 'number';
  if (isVector || ('columns' in yPred && yPred.columns.length === 1)) {
    const p1 = isVector
      ? (yPred as ArrayLike<number>)
      : (yPred as { columns: ArrayLike<number>[] }).columns[0]!;
    checkSameLength('log_loss', yTrue, p1);
    if (classes.length !== 2) {
      throw metricsError(
        'METRICS_SHAPE_MISMATCH',
        `log_loss: one probability column but ${classes.length} labels`,
        { labels: classes },
      );
    }
    const greater = classes[1]!;
    for (let i = 0; i < n; i++) {
      const p = clip(p1[i]!);
      const q = 1 - p;
      const s = q + p;
      loss[i] = -Math.log((yTrue[i] === greater ? p : q) / s);
    }
    return npMean(loss);
  }
  const cols = scoreColumns(yPred as ScoreMatrix, n, 'log_loss');
  if (cols.length !== classes.length) {
    throw metricsError(
      'METRICS_SHAPE_MISMATCH',
      `log_loss: ${cols.length} probability columns but ${classes.length} labels (${JSON.stringify(classes.slice(0, 10))})`,
      { labels: classes },
      'pass the labels of the probability columns with the labels option',
    );
  }
  const y = encodeLabels([yTrue], classes).codes[0]!;
  const k = cols.length;
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) row[c] = clip(cols[c]![i]!);
    const s = npSum(row);
    loss[i] = -Math.log(row[y[i]!]! / s);
  }
  return npMean(loss);
}

/** `brier_score_loss`: mean squared difference between the outcome (y_true == posLabel) and its probability. */
export function brierScoreLoss(
  yTrue: ArrayLike<Label>,
  yProb: ArrayLike<number>,
  options: { posLabel?: Label } = {},
): number {
  checkSameLength('brier', yTrue, yProb);
  const present = distinctSorted(yTrue);
  if (present.length > 2) {
    throw metricsError(
      'METRICS_NOT_BINARY',
      `brier: y_true has ${present.length} labels; only binary classification is supported`,
      { labels: present.slice(0, 10) },
    );
  }
  const pos = options.posLabel ?? defaultPosLabel(present);
  if (options.posLabel !== undefined && present.length === 2 && labelIndex(present, pos) < 0) {
    throw metricsError(
      'METRICS_INVALID_LABEL',
      `brier: posLabel ${JSON.stringify(pos)} is not one of ${JSON.stringify(present)}`,
    );
  }
  const sq = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    const p = yProb[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw metricsError(
        'METRICS_INVALID_SCORE',
        `brier: probability at row ${i} is ${p}; must be within [0, 1]`,
        { row: i },
      );
    }
    const d = (yTrue[i] === pos ? 1 : 0) - p;
    sq[i] = d * d;
  }
  return npMean(sq);
}
