import { checkSameLength, metricsError } from './errors';
import { type Label, collectDistinct, defaultPosLabel, encodeLabels, labelIndex, sortLabels } from './labels';
import { sortFloat64 } from './sort';
import { npSum, npWeightedAverage, npMean } from './sum';

/** Distinct score thresholds (descending) with cumulative false/true positive counts: `_binary_clf_curve`. */
export interface BinaryClfCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

function checkScores(what: string, scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      throw metricsError(
        'METRICS_INVALID_SCORE',
        `${what}: score at row ${i} is ${String(scores[i])}; scores must be finite numbers`,
        {
          row: i,
        },
      );
    }
  }
}

/**
 * The core of every curve: same result as scikit-learn's `_binary_clf_curve`
 * (ties at one score collapse into one threshold). Instead of an argsort, the
 * positive and negative scores are sorted separately (radix sort on the
 * float bits, see `sortFloat64`) and merged from the top, which is several
 * times faster in V8.
 */
export function binaryClfCurveFromMask(isPositive: Uint8Array, scores: ArrayLike<number>): BinaryClfCurve {
  const n = isPositive.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += isPositive[i]!;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  let ip = 0;
  let ineg = 0;
  for (let i = 0; i < n; i++) {
    if (isPositive[i]) pos[ip++] = scores[i]!;
    else neg[ineg++] = scores[i]!;
  }
  sortFloat64(pos);
  sortFloat64(neg);
  const fps = new Float64Array(n);
  const tps = new Float64Array(n);
  const thresholds = new Float64Array(n);
  let m = 0;
  let p = nPos - 1;
  let q = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (p >= 0 || q >= 0) {
    const v = p < 0 ? neg[q]! : q < 0 ? pos[p]! : Math.max(pos[p]!, neg[q]!);
    while (p >= 0 && pos[p] === v) {
      tp++;
      p--;
    }
    while (q >= 0 && neg[q] === v) {
      fp++;
      q--;
    }
    fps[m] = fp;
    tps[m] = tp;
    thresholds[m] = v;
    m++;
  }
  return { fps: fps.slice(0, m), tps: tps.slice(0, m), thresholds: thresholds.slice(0, m) };
}

/** Marks y_true == posLabel (default: `defaultPosLabel`). */
function positiveMask(
  what: string,
  yTrue: ArrayLike<Label>,
  posLabel: Label | undefined,
): { mask: Uint8Array; posLabel: Label; present: Label[] } {
  const present = sortLabels(distinctLabels(yTrue));
  const pos = posLabel ?? defaultPosLabel(present);
  if (present.length > 2) {
    throw metricsError(
      'METRICS_NOT_BINARY',
      `${what}: y_true has ${present.length} labels; this metric is binary`,
      { labels: present.slice(0, 10) },
      'use the multiclass variant',
    );
  }
  if (posLabel !== undefined && present.length === 2 && labelIndex(present, posLabel) < 0) {
    throw metricsError(
      'METRICS_INVALID_LABEL',
      `${what}: posLabel ${JSON.stringify(posLabel)} is not one of ${JSON.stringify(present)}`,
      {
        posLabel,
        labels: present,
      },
    );
  }
  const mask = new Uint8Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) mask[i] = yTrue[i] === pos ? 1 : 0;
  return { mask, posLabel: pos, present };
}

function distinctLabels(values: ArrayLike<Label>): Set<Label> {
  const set = new Set<Label>();
  collectDistinct(values, set);
  return set;
}

export interface BinaryScoreOptions {
  /** The label whose score is given. Default: the greater of the two labels in y_true (as `roc_auc_score`); see `defaultPosLabel`. */
  posLabel?: Label;
}

export function binaryClfCurve(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number>,
  options: BinaryScoreOptions = {},
): BinaryClfCurve {
  checkSameLength('binary curve', yTrue, yScore);
  checkScores('binary curve', yScore);
  return binaryClfCurveFromMask(positiveMask('binary curve', yTrue, options.posLabel).mask, yScore);
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** thresholds[0] is max(score) + 1, as scikit-learn 1.2 (1.3+ uses +Infinity). */
  thresholds: number[];
}

function rocFromClf(
  curve: BinaryClfCurve,
  dropIntermediate: boolean,
): { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array } {
  let { fps, tps, thresholds } = curve;
  if (dropIntermediate && fps.length > 2) {
    // keep the ends and every point where either count has a corner (np.diff(_, 2) != 0)
    const len = fps.length;
    const keptFps = new Float64Array(len);
    const keptTps = new Float64Array(len);
    const keptThresholds = new Float64Array(len);
    let kept = 0;
    for (let i = 0; i < len; i++) {
      if (i > 0 && i < len - 1) {
        const d2f = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
        const d2t = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
        if (d2f === 0 && d2t === 0) continue;
      }
      keptFps[kept] = fps[i]!;
      keptTps[kept] = tps[i]!;
      keptThresholds[kept] = thresholds[i]!;
      kept++;
    }
    fps = keptFps.subarray(0, kept);
    tps = keptTps.subarray(0, kept);
    thresholds = keptThresholds.subarray(0, kept);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  th[0] = thresholds[0]! + 1;
  th.set(thresholds, 1);
  const lastF = fps[fps.length - 1]!;
  const lastT = tps[tps.length - 1]!;
  for (let i = 1; i < m; i++) {
    fpr[i] = lastF <= 0 ? NaN : fps[i - 1]! / lastF;
    tpr[i] = lastT <= 0 ? NaN : tps[i - 1]! / lastT;
  }
  if (lastF <= 0) fpr[0] = NaN;
  if (lastT <= 0) tpr[0] = NaN;
  return { fpr, tpr, thresholds: th };
}

/** `roc_curve(y_true, y_score, pos_label, drop_intermediate=True)` of scikit-learn 1.2.1. */
export function rocCurve(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number>,
  options: BinaryScoreOptions & { dropIntermediate?: boolean } = {},
): RocCurve {
  const r = rocFromClf(binaryClfCurve(yTrue, yScore, options), options.dropIntermediate ?? true);
  return { fpr: [...r.fpr], tpr: [...r.tpr], thresholds: [...r.thresholds] };
}

/** `auc(x, y)`: trapezoidal area under a monotonic curve (np.trapz). */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2)
    throw metricsError('METRICS_CURVE_INVALID', `auc needs at least 2 points, got ${x.length}`);
  checkSameLength('auc', x, y);
  let direction = 1;
  let anyNeg = false;
  let allNonPos = true;
  for (let i = 1; i < x.length; i++) {
    const d = x[i]! - x[i - 1]!;
    if (d < 0) anyNeg = true;
    if (d > 0) allNonPos = false;
  }
  if (anyNeg) {
    if (allNonPos) direction = -1;
    else throw metricsError('METRICS_CURVE_INVALID', 'auc: x is neither increasing nor decreasing');
  }
  const terms = new Float64Array(x.length - 1);
  for (let i = 1; i < x.length; i++) terms[i - 1] = ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return direction * npSum(terms);
}

function binaryRocAucFromMask(mask: Uint8Array, scores: ArrayLike<number>, what: string): number {
  let nPos = 0;
  for (let i = 0; i < mask.length; i++) nPos += mask[i]!;
  if (nPos === 0 || nPos === mask.length) {
    throw metricsError(
      'METRICS_UNDEFINED',
      `${what}: only one class present in y_true; ROC AUC is not defined in that case`,
    );
  }
  return rocAucFromClf(binaryClfCurveFromMask(mask, scores), what);
}

/**
 * `auc(*roc_curve(drop_intermediate=True)[:2])` without materializing the
 * curve: the same kept points, the same fpr/tpr divisions and the same
 * trapezoid terms summed in numpy's order, so the result is identical.
 */
function rocAucFromClf(curve: BinaryClfCurve, what: string): number {
  const { fps, tps } = curve;
  const len = fps.length;
  const lastF = fps[len - 1]!;
  const lastT = tps[len - 1]!;
  if (lastF === 0 || lastT === 0) {
    throw metricsError(
      'METRICS_UNDEFINED',
      `${what}: only one class present in y_true; ROC AUC is not defined in that case`,
    );
  }
  const terms = new Float64Array(len);
  let count = 0;
  let prevX = 0;
  let prevY = 0;
  for (let i = 0; i < len; i++) {
    if (len > 2 && i > 0 && i < len - 1) {
      const d2f = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
      const d2t = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
      if (d2f === 0 && d2t === 0) continue;
    }
    const x = fps[i]! / lastF;
    const y = tps[i]! / lastT;
    terms[count++] = ((x - prevX) * (y + prevY)) / 2;
    prevX = x;
    prevY = y;
  }
  return npSum(terms.subarray(0, count));
}

/** Binary `roc_auc_score`. `yScore` is the score of `posLabel` (default: the greater label). */
export function rocAucScore(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number>,
  options: BinaryScoreOptions = {},
): number {
  checkSameLength('roc_auc', yTrue, yScore);
  checkScores('roc_auc', yScore);
  return binaryRocAucFromMask(positiveMask('roc_auc', yTrue, options.posLabel).mask, yScore, 'roc_auc');
}

export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

function prFromClf(curve: BinaryClfCurve): {
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
} {
  const { fps, tps, thresholds } = curve;
  const m = tps.length;
  const lastT = tps[m - 1]!;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const j = m - 1 - i;
    const ps = tps[j]! + fps[j]!;
    precision[i] = ps !== 0 ? tps[j]! / ps : 0;
    recall[i] = lastT === 0 ? 1 : tps[j]! / lastT;
    th[i] = thresholds[j]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

/** `precision_recall_curve` of scikit-learn 1.2.1 (every threshold, increasing; last point (recall 0, precision 1)). */
export function precisionRecallCurve(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number>,
  options: BinaryScoreOptions = {},
): PrecisionRecallCurve {
  const r = prFromClf(binaryClfCurve(yTrue, yScore, options));
  return { precision: [...r.precision], recall: [...r.recall], thresholds: [...r.thresholds] };
}

function averagePrecisionFromMask(mask: Uint8Array, scores: ArrayLike<number>): number {
  return averagePrecisionFromClf(binaryClfCurveFromMask(mask, scores));
}

function averagePrecisionFromClf(curve: BinaryClfCurve): number {
  const { precision, recall } = prFromClf(curve);
  const terms = new Float64Array(recall.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = (recall[i + 1]! - recall[i]!) * precision[i]!;
  return -npSum(terms);
}

/** Binary `average_precision_score`: step-wise sum of precision × recall increments (not interpolated). */
export function averagePrecisionScore(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number>,
  options: BinaryScoreOptions = {},
): number {
  checkSameLength('average_precision', yTrue, yScore);
  checkScores('average_precision', yScore);
  return averagePrecisionFromMask(positiveMask('average_precision', yTrue, options.posLabel).mask, yScore);
}

/** Probabilities as rows (`number[][]`, one row per sample) or as one array per column. */
export type ScoreMatrix = ArrayLike<ArrayLike<number>> | { columns: ArrayLike<number>[] };

/** Column view of a score matrix (no copy when given as columns). */
export function scoreColumns(matrix: ScoreMatrix, nRows: number, what: string): ArrayLike<number>[] {
  if ('columns' in matrix) {
    for (const col of matrix.columns) checkSameLength(what, { length: nRows }, col);
    return matrix.columns;
  }
  checkSameLength(what, { length: nRows }, matrix);
  const k = matrix[0]?.length ?? 0;
  const cols = Array.from({ length: k }, () => new Float64Array(nRows));
  for (let i = 0; i < nRows; i++) {
    const row = matrix[i]!;
    if (row.length !== k) {
      throw metricsError(
        'METRICS_SHAPE_MISMATCH',
        `${what}: row ${i} has ${row.length} scores, row 0 has ${k}`,
        { row: i },
      );
    }
    for (let c = 0; c < k; c++) cols[c]![i] = row[c]!;
  }
  return cols;
}

export interface MulticlassRocOptions {
  multiClass: 'ovr' | 'ovo';
  average?: 'macro' | 'weighted';
  /** Labels of the score columns, sorted. Default: the sorted labels of y_true (must match the column count). */
  labels?: Label[];
}

/** Multiclass `roc_auc_score(..., multi_class='ovr'|'ovo', average='macro'|'weighted')`. Scores must sum to 1 per row. */
export function rocAucScoreMulticlass(
  yTrue: ArrayLike<Label>,
  yScore: ScoreMatrix,
  options: MulticlassRocOptions,
): number {
  const average = options.average ?? 'macro';
  const cols = scoreColumns(yScore, yTrue.length, 'roc_auc');
  if (yTrue.length === 0) throw metricsError('METRICS_EMPTY_INPUT', 'roc_auc: no samples');
  cols.forEach((c) => checkScores('roc_auc', c));
  const n = yTrue.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const c of cols) s += c[i]!;
    // np.allclose(1, s): |1 - s| <= 1e-8 + 1e-5 * |s|
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) {
      throw metricsError(
        'METRICS_INVALID_SCORE',
        `roc_auc: probabilities of row ${i} sum to ${s}, not 1`,
        { row: i, sum: s },
        'multiclass ROC AUC needs probabilities',
      );
    }
  }
  let classes: Label[];
  if (options.labels) {
    classes = sortLabels(options.labels);
    if (classes.length !== options.labels.length || classes.some((l, i) => l !== options.labels![i])) {
      throw metricsError('OPTION_INVALID', 'roc_auc: labels must be unique and sorted', {
        option: 'labels',
        value: options.labels,
      });
    }
    if (classes.length !== cols.length) {
      throw metricsError(
        'METRICS_SHAPE_MISMATCH',
        `roc_auc: ${classes.length} labels but ${cols.length} score columns`,
      );
    }
  } else {
    classes = sortLabels(distinctLabels(yTrue));
    if (classes.length !== cols.length) {
      throw metricsError(
        'METRICS_SHAPE_MISMATCH',
        `roc_auc: y_true has ${classes.length} classes but there are ${cols.length} score columns`,
        {
          labels: classes,
        },
      );
    }
  }
  const { codes, labels } = encodeLabels([yTrue], classes);
  if (labels.length !== classes.length) {
    throw metricsError('METRICS_INVALID_LABEL', "roc_auc: y_true contains labels not in 'labels'", {
      labels: classes,
    });
  }
  const y = codes[0]!;
  const k = classes.length;
  if (options.multiClass === 'ovr') {
    const scores = new Float64Array(k);
    const weights = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const mask = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (y[i] === c) mask[i] = 1;
      let count = 0;
      for (let i = 0; i < n; i++) count += mask[i]!;
      weights[c] = count;
      scores[c] = binaryRocAucFromMask(
        mask,
        cols[c]!,
        `roc_auc (class ${JSON.stringify(classes[c])} vs rest)`,
      );
    }
    return average === 'weighted' ? npWeightedAverage(scores, weights) : npMean(scores);
  }
  const present: number[] = [];
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) counts[y[i]!]! += 1;
  for (let c = 0; c < k; c++) if (counts[c]! > 0) present.push(c);
  const pairScores: number[] = [];
  const prevalence: number[] = [];
  for (let ai = 0; ai < present.length; ai++) {
    for (let bi = ai + 1; bi < present.length; bi++) {
      const a = present[ai]!;
      const b = present[bi]!;
      const m = counts[a]! + counts[b]!;
      const aMask = new Uint8Array(m);
      const bMask = new Uint8Array(m);
      const aScore = new Float64Array(m);
      const bScore = new Float64Array(m);
      let j = 0;
      for (let i = 0; i < n; i++) {
        const yi = y[i]!;
        if (yi !== a && yi !== b) continue;
        aMask[j] = yi === a ? 1 : 0;
        bMask[j] = yi === b ? 1 : 0;
        aScore[j] = cols[a]![i]!;
        bScore[j] = cols[b]![i]!;
        j++;
      }
      const what = `roc_auc (${JSON.stringify(classes[a])} vs ${JSON.stringify(classes[b])})`;
      pairScores.push(
        (binaryRocAucFromMask(aMask, aScore, what) + binaryRocAucFromMask(bMask, bScore, what)) / 2,
      );
      prevalence.push(m / n);
    }
  }
  return average === 'weighted' ? npWeightedAverage(pairScores, prevalence) : npMean(pairScores);
}

/** Multilabel-indicator `roc_auc_score` (y_true rows of 0/1 per label). */
export function rocAucScoreMultilabel(
  yTrue: ArrayLike<ArrayLike<number>>,
  yScore: ArrayLike<ArrayLike<number>>,
  options: { average?: 'micro' | 'macro' | 'weighted' | 'samples' } = {},
): number {
  const average = options.average ?? 'macro';
  checkSameLength('roc_auc', yTrue, yScore);
  const n = yTrue.length;
  const k = yTrue[0]!.length;
  const at = (m: ArrayLike<ArrayLike<number>>, i: number, c: number): number => m[i]![c]!;
  const binary = (len: number, t: (j: number) => number, s: (j: number) => number, what: string): number => {
    const mask = Uint8Array.from({ length: len }, (_, j) => (t(j) === 1 ? 1 : 0));
    const scores = Float64Array.from({ length: len }, (_, j) => s(j));
    checkScores('roc_auc', scores);
    return binaryRocAucFromMask(mask, scores, what);
  };
  if (average === 'micro') {
    return binary(
      n * k,
      (j) => at(yTrue, Math.floor(j / k), j % k),
      (j) => at(yScore, Math.floor(j / k), j % k),
      'roc_auc (micro)',
    );
  }
  if (average === 'samples') {
    const scores = Float64Array.from({ length: n }, (_, i) =>
      binary(
        k,
        (c) => at(yTrue, i, c),
        (c) => at(yScore, i, c),
        `roc_auc (sample ${i})`,
      ),
    );
    return npMean(scores);
  }
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) weights[c]! += at(yTrue, i, c);
  if (average === 'weighted' && Math.abs(npSum(weights)) <= 1e-8) return 0;
  const scores = Float64Array.from({ length: k }, (_, c) =>
    binary(
      n,
      (i) => at(yTrue, i, c),
      (i) => at(yScore, i, c),
      `roc_auc (label ${c})`,
    ),
  );
  return average === 'weighted' ? npWeightedAverage(scores, weights) : npMean(scores);
}

/** Internal entry points used by computeMetrics (labels already encoded). */
export const rankingInternals = {
  checkScores,
  rocAucFromClf,
  averagePrecisionFromClf,
  binaryClfCurveFromMask,
  binaryRocAucFromMask,
  averagePrecisionFromMask,
  rocFromClf,
  prFromClf,
};
