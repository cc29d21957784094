import { checkSameLength, metricsError } from './errors';
import { type Label, defaultPosLabel, encodeLabels, labelIndex } from './labels';
import { npMean, npSum, npWeightedAverage } from './sum';

/**
 * A K×K confusion matrix over `labels` (sorted union of y_true and y_pred),
 * row-major, rows = true label, columns = predicted label. Every label-based
 * metric is a function of it, so it is computed once per evaluation.
 */
export interface ConfusionCounts {
  labels: Label[];
  counts: Float64Array;
  samples: number;
}

export type Average = 'micro' | 'macro' | 'weighted';

/** Counts from already-encoded codes (indices into `labels`). */
export function countConfusion(labels: Label[], yTrue: Int32Array, yPred: Int32Array): ConfusionCounts {
  const k = labels.length;
  const counts = new Float64Array(k * k);
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i]! * k + yPred[i]!]! += 1;
  return { labels, counts, samples: yTrue.length };
}

/** Encodes both label arrays against their sorted union and counts. */
export function confusionCounts(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): ConfusionCounts {
  checkSameLength('confusion matrix', yTrue, yPred);
  const { labels, codes } = encodeLabels([yTrue, yPred]);
  return countConfusion(labels, codes[0]!, codes[1]!);
}

function sumsOf(cm: ConfusionCounts): { tp: Float64Array; trueSum: Float64Array; predSum: Float64Array } {
  const k = cm.labels.length;
  const tp = new Float64Array(k);
  const trueSum = new Float64Array(k);
  const predSum = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = cm.counts[r * k + c]!;
      trueSum[r]! += v;
      predSum[c]! += v;
      if (r === c) tp[r] = v;
    }
  }
  return { tp, trueSum, predSum };
}

/** Restricts / reorders a confusion matrix to `labels` (labels absent from the data count zero). */
function selectLabels(cm: ConfusionCounts, labels: Label[]): Float64Array {
  const k = cm.labels.length;
  const idx = labels.map((l) => labelIndex(cm.labels, l));
  const m = labels.length;
  const out = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      const ir = idx[r]!;
      const ic = idx[c]!;
      out[r * m + c] = ir < 0 || ic < 0 ? 0 : cm.counts[ir * k + ic]!;
    }
  }
  return out;
}

export interface ConfusionMatrixOptions {
  /** Rows/columns in this order; samples whose labels are not listed are ignored (as scikit-learn). */
  labels?: Label[];
  /** Normalize over true rows, predicted columns, or the whole matrix; 0/0 gives 0. */
  normalize?: 'true' | 'pred' | 'all';
}

/** `sklearn.metrics.confusion_matrix`: rows true, columns predicted, labels sorted unless given. */
export function confusionMatrix(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ConfusionMatrixOptions = {},
): number[][] {
  return confusionMatrixFromCounts(confusionCounts(yTrue, yPred), options);
}

export function confusionMatrixFromCounts(
  cm: ConfusionCounts,
  options: ConfusionMatrixOptions = {},
): number[][] {
  const labels = options.labels ?? cm.labels;
  const m = labels.length;
  const flat = options.labels ? selectLabels(cm, labels) : cm.counts;
  const rows: number[][] = [];
  for (let r = 0; r < m; r++) rows.push(Array.from(flat.subarray(r * m, (r + 1) * m)));
  if (!options.normalize) return rows;
  const rowSum = rows.map((row) => npSum(row));
  const colSum = rows[0]?.map((_, c) => npSum(rows.map((row) => row[c]!))) ?? [];
  const total = npSum(rowSum);
  const finite = (v: number): number => (Number.isFinite(v) ? v : 0);
  return rows.map((row, r) =>
    row.map((v, c) =>
      finite(
        v / (options.normalize === 'true' ? rowSum[r]! : options.normalize === 'pred' ? colSum[c]! : total),
      ),
    ),
  );
}

/** `accuracy_score`: fraction of exact matches. */
export function accuracyScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkSameLength('accuracy', yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

export function accuracyFromCounts(cm: ConfusionCounts): number {
  const { tp } = sumsOf(cm);
  let correct = 0;
  for (const v of tp) correct += v;
  return correct / cm.samples;
}

/** `balanced_accuracy_score` (adjusted=False): mean recall over classes present in y_true. */
export function balancedAccuracyScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  return balancedAccuracyFromCounts(confusionCounts(yTrue, yPred));
}

export function balancedAccuracyFromCounts(cm: ConfusionCounts): number {
  const { tp, trueSum } = sumsOf(cm);
  const perClass: number[] = [];
  for (let k = 0; k < tp.length; k++) if (trueSum[k] !== 0) perClass.push(tp[k]! / trueSum[k]!);
  return npMean(perClass);
}

/** `matthews_corrcoef` (multiclass form; 0 when undefined, as scikit-learn). */
export function matthewsCorrcoef(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  return matthewsFromCounts(confusionCounts(yTrue, yPred));
}

function dot(a: Float64Array, b: Float64Array): number {
  // np.dot of 1-D float64 arrays goes through BLAS ddot; for the class counts
  // involved (integers < 2^53) any order is exact.
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function matthewsFromCounts(cm: ConfusionCounts): number {
  const { tp, trueSum, predSum } = sumsOf(cm);
  let nCorrect = 0;
  for (const v of tp) nCorrect += v;
  const nSamples = npSum(predSum);
  const covYtYp = nCorrect * nSamples - dot(trueSum, predSum);
  const covYpYp = nSamples ** 2 - dot(predSum, predSum);
  const covYtYt = nSamples ** 2 - dot(trueSum, trueSum);
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

/** `cohen_kappa_score` (unweighted). NaN when both raters use a single identical label (0/0, as scikit-learn). */
export function cohenKappaScore(y1: ArrayLike<Label>, y2: ArrayLike<Label>): number {
  return cohenKappaFromCounts(confusionCounts(y1, y2));
}

export function cohenKappaFromCounts(cm: ConfusionCounts): number {
  const k = cm.labels.length;
  const { trueSum: sum1, predSum: sum0 } = sumsOf(cm);
  const total = npSum(sum0);
  // np.sum(w_mat * confusion) and np.sum(w_mat * expected) over the flattened K×K arrays.
  const observed = new Float64Array(k * k);
  const expected = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      if (r === c) continue;
      observed[r * k + c] = cm.counts[r * k + c]!;
      expected[r * k + c] = (sum0[r]! * sum1[c]!) / total;
    }
  }
  return 1 - npSum(observed) / npSum(expected);
}

export interface PrfOptions {
  /** 'binary' (default when posLabel given or data has ≤ 2 labels), 'micro', 'macro', 'weighted', or null for per-class arrays. */
  average?: 'binary' | Average | null;
  /** Positive label for average='binary'. Default: 1 for labels within {-1, 0, 1}, else the greater label. */
  posLabel?: Label;
  /** Labels to report (and to average over), in this order. Default: sorted union of y_true and y_pred. */
  labels?: Label[];
  /** F-beta's beta (default 1). */
  beta?: number;
  /** Value for 0/0 (default 0: scikit-learn's "warn" default, without the warning). */
  zeroDivision?: 0 | 1;
}

export interface PrfPerClass {
  labels: Label[];
  precision: number[];
  recall: number[];
  fbeta: number[];
  support: number[];
}

export interface PrfAveraged {
  precision: number;
  recall: number;
  fbeta: number;
}

function prfDivide(num: Float64Array, den: Float64Array, zeroDivision: number): Float64Array {
  const out = new Float64Array(num.length);
  for (let i = 0; i < num.length; i++) out[i] = den[i] === 0 ? zeroDivision : num[i]! / den[i]!;
  return out;
}

/**
 * `precision_recall_fscore_support`, from a confusion matrix. With
 * average=null it returns per-class arrays, otherwise the averaged triple.
 */
export function prfFromCounts(cm: ConfusionCounts, options: PrfOptions & { average: null }): PrfPerClass;
export function prfFromCounts(cm: ConfusionCounts, options?: PrfOptions): PrfAveraged;
export function prfFromCounts(cm: ConfusionCounts, options: PrfOptions = {}): PrfPerClass | PrfAveraged {
  const average = options.average === undefined ? 'binary' : options.average;
  const beta = options.beta ?? 1;
  if (!(beta >= 0))
    throw metricsError('OPTION_INVALID', `beta must be >= 0, got ${beta}`, { option: 'beta', value: beta });
  const zeroDivision = options.zeroDivision ?? 0;
  let labels = options.labels ?? cm.labels;
  if (average === 'binary') {
    if (cm.labels.length > 2) {
      throw metricsError(
        'METRICS_NOT_BINARY',
        `average='binary' needs at most 2 labels, the data has ${cm.labels.length}`,
        { labels: cm.labels },
        "choose average 'micro', 'macro' or 'weighted'",
      );
    }
    const pos = options.posLabel ?? defaultPosLabel(cm.labels);
    if (labelIndex(cm.labels, pos) < 0 && cm.labels.length >= 2) {
      throw metricsError(
        'METRICS_INVALID_LABEL',
        `posLabel ${JSON.stringify(pos)} is not a valid label; valid: ${JSON.stringify(cm.labels)}`,
        {
          posLabel: pos,
          labels: cm.labels,
        },
      );
    }
    labels = [pos];
  }
  const all = sumsOf(cm);
  const idx = labels.map((l) => labelIndex(cm.labels, l));
  const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, (i) => (i < 0 ? 0 : a[i]!));
  let tp = pick(all.tp);
  let predSum = pick(all.predSum);
  let trueSum = pick(all.trueSum);
  if (average === 'micro') {
    tp = Float64Array.of(npSum(tp));
    predSum = Float64Array.of(npSum(predSum));
    trueSum = Float64Array.of(npSum(trueSum));
  }
  const precision = prfDivide(tp, predSum, zeroDivision);
  const recall = prfDivide(tp, trueSum, zeroDivision);
  const beta2 = beta * beta;
  const fbeta = new Float64Array(tp.length);
  for (let i = 0; i < tp.length; i++) {
    if (beta === Infinity) {
      fbeta[i] = recall[i]!;
      continue;
    }
    let denom = beta2 * precision[i]! + recall[i]!;
    if (denom === 0) denom = 1;
    fbeta[i] = ((1 + beta2) * precision[i]! * recall[i]!) / denom;
  }
  if (average === null) {
    return {
      labels,
      precision: [...precision],
      recall: [...recall],
      fbeta: [...fbeta],
      support: [...trueSum],
    };
  }
  if (average === 'weighted') {
    if (npSum(trueSum) === 0) {
      const z = zeroDivision;
      return npSum(predSum) === 0
        ? { precision: z, recall: z, fbeta: z }
        : { precision: 0, recall: z, fbeta: 0 };
    }
    return {
      precision: npWeightedAverage(precision, trueSum),
      recall: npWeightedAverage(recall, trueSum),
      fbeta: npWeightedAverage(fbeta, trueSum),
    };
  }
  return { precision: npMean(precision), recall: npMean(recall), fbeta: npMean(fbeta) };
}

/** `precision_recall_fscore_support` on label arrays. */
export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: PrfOptions & { average: null },
): PrfPerClass;
export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options?: PrfOptions,
): PrfAveraged;
export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: PrfOptions = {},
): PrfPerClass | PrfAveraged {
  return prfFromCounts(confusionCounts(yTrue, yPred), options);
}

export type ScalarPrfOptions = Omit<PrfOptions, 'average'> & { average?: 'binary' | Average };

export function precisionScore(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ScalarPrfOptions = {},
): number {
  return precisionRecallFscoreSupport(yTrue, yPred, options).precision;
}

export function recallScore(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ScalarPrfOptions = {},
): number {
  return precisionRecallFscoreSupport(yTrue, yPred, options).recall;
}

export function fbetaScore(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ScalarPrfOptions & { beta: number },
): number {
  return precisionRecallFscoreSupport(yTrue, yPred, options).fbeta;
}

export function f1Score(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: Omit<ScalarPrfOptions, 'beta'> = {},
): number {
  return precisionRecallFscoreSupport(yTrue, yPred, { ...options, beta: 1 }).fbeta;
}
