import {
  type ConfusionCounts,
  confusionMatrixFromCounts,
  countConfusion,
  prfFromCounts,
} from './classification';
import {
  accuracyFromCounts,
  balancedAccuracyFromCounts,
  cohenKappaFromCounts,
  matthewsFromCounts,
} from './classification';
import { checkSameLength, metricsError } from './errors';
import {
  type Label,
  compareLabels,
  defaultPosLabel,
  distinctSorted,
  encodeLabels,
  labelIndex,
} from './labels';
import { brierScoreLoss, logLoss } from './probabilistic';
import { rankingInternals, rocAucScoreMulticlass } from './ranking';
import { meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError, r2Score } from './regression';
import { isCairnError } from '@cairn/errors';

export type Task = 'binary' | 'multiclass' | 'regression';

export interface MetricsInput {
  /** Inferred when omitted: see `inferTask`. */
  task?: Task;
  yTrue: ArrayLike<Label>;
  yPred: ArrayLike<Label>;
  /** Binary: score / probability of the positive label. */
  score?: ArrayLike<number>;
  /** Per-label probability columns (`proba_<label>` in the CSV contract). */
  proba?: { labels: Label[]; columns: ArrayLike<number>[] };
  /** Binary positive label; default the greater of the two labels. */
  posLabel?: Label;
  /** Also return ROC and precision-recall curve points (binary). */
  curves?: boolean;
}

export interface PerClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  task: 'binary' | 'multiclass';
  n_samples: number;
  labels: Label[];
  accuracy: number;
  balanced_accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_micro: number;
  recall_micro: number;
  f1_micro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  mcc: number;
  cohen_kappa: number;
  confusion_matrix: number[][];
  per_class: Record<string, PerClassMetrics>;
  pos_label?: Label;
  precision?: number;
  recall?: number;
  f1?: number;
  roc_auc?: number | null;
  average_precision?: number | null;
  log_loss?: number | null;
  brier?: number | null;
  roc_auc_ovr_macro?: number | null;
  roc_auc_ovr_weighted?: number | null;
  roc_auc_ovo_macro?: number | null;
  roc_auc_ovo_weighted?: number | null;
  roc_curve?: { fpr: number[]; tpr: number[]; thresholds: number[] };
  precision_recall_curve?: { precision: number[]; recall: number[]; thresholds: number[] };
  /** Metrics scikit-learn would refuse (e.g. ROC AUC with one class in y_true): name → reason; their value is null. */
  warnings?: Record<string, string>;
}

export interface RegressionReport {
  task: 'regression';
  n_samples: number;
  mae: number;
  mse: number;
  rmse: number;
  r2: number;
  mape: number;
}

export type MetricsReport = ClassificationReport | RegressionReport;

function isInteger(v: Label): boolean {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * Task inference, in the spirit of scikit-learn's `type_of_target`: probability
 * columns or a score mean classification; numeric labels with any non-integer
 * value mean regression; otherwise ≤ 2 distinct labels is binary, more is
 * multiclass. Integer-valued regression targets need an explicit task.
 */
export function inferTask(input: Pick<MetricsInput, 'yTrue' | 'yPred' | 'score' | 'proba'>): Task {
  const { labels } = encodeLabels([input.yTrue, input.yPred]);
  if (!input.score && !input.proba && labels.some((l) => typeof l === 'number' && !isInteger(l)))
    return 'regression';
  if (input.proba && input.proba.labels.length > 2) return 'multiclass';
  return labels.length <= 2 ? 'binary' : 'multiclass';
}

/** Metrics scikit-learn would refuse for this data become null plus a warning instead of failing the whole report. */
function guarded(warnings: Record<string, string>, key: string, f: () => number): number | null {
  try {
    return f();
  } catch (error) {
    if (isCairnError(error, 'METRICS_UNDEFINED') || isCairnError(error, 'METRICS_INVALID_SCORE')) {
      warnings[key] = error.message;
      return null;
    }
    throw error;
  }
}

function labelKey(label: Label): string {
  return String(label);
}

/** Every metric of the `cairn metrics` contract in one pass (labels encoded once). */
export function computeMetrics(input: MetricsInput): MetricsReport {
  checkSameLength('metrics', input.yTrue, input.yPred);
  const task = input.task ?? inferTask(input);
  const n = input.yTrue.length;
  if (task === 'regression') {
    const yTrue = toNumbers('y_true', input.yTrue);
    const yPred = toNumbers('y_pred', input.yPred);
    const mse = meanSquaredError(yTrue, yPred);
    return {
      task,
      n_samples: n,
      mae: meanAbsoluteError(yTrue, yPred),
      mse,
      rmse: Math.sqrt(mse),
      r2: r2Score(yTrue, yPred),
      mape: meanAbsolutePercentageError(yTrue, yPred),
    };
  }
  const { labels, codes } = encodeLabels([input.yTrue, input.yPred]);
  if (task === 'binary' && labels.length > 2) {
    throw metricsError(
      'METRICS_NOT_BINARY',
      `task binary but y_true/y_pred hold ${labels.length} labels`,
      { labels: labels.slice(0, 10) },
      'use --task multiclass',
    );
  }
  const cm = countConfusion(labels, codes[0]!, codes[1]!);
  const report = classificationCore(task, cm);
  const warnings: Record<string, string> = {};
  const withProba = input.proba
    ? { ...input, proba: { ...input.proba, labels: matchProbaLabels(input.proba.labels, labels) } }
    : input;
  if (task === 'binary') addBinary(report, cm, codes[0]!, withProba, warnings);
  else if (withProba.proba) addMulticlassProba(report, withProba, warnings);
  if (Object.keys(warnings).length > 0) report.warnings = warnings;
  return report;
}

/**
 * Probability-column labels often arrive as strings (CSV headers, a model
 * manifest) while the data labels are numbers: map each to the data label
 * with the same text, or to its number when the data labels are numeric.
 */
function matchProbaLabels(probaLabels: Label[], dataLabels: Label[]): Label[] {
  const numeric = dataLabels.length > 0 && dataLabels.every((l) => typeof l === 'number');
  return probaLabels.map((label) => {
    const same = dataLabels.find((l) => l === label) ?? dataLabels.find((l) => String(l) === String(label));
    if (same !== undefined) return same;
    if (numeric && typeof label === 'string' && label.trim() !== '' && Number.isFinite(Number(label)))
      return Number(label);
    return label;
  });
}

function toNumbers(column: string, values: ArrayLike<Label>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      throw metricsError(
        'METRICS_INVALID_SCORE',
        `regression: ${column} at sample ${i} (0-based) is ${JSON.stringify(v)}, not a number`,
        { row: i, column },
      );
    }
    out[i] = v;
  }
  return out;
}

function classificationCore(task: 'binary' | 'multiclass', cm: ConfusionCounts): ClassificationReport {
  const macro = prfFromCounts(cm, { average: 'macro' });
  const micro = prfFromCounts(cm, { average: 'micro' });
  const weighted = prfFromCounts(cm, { average: 'weighted' });
  const per = prfFromCounts(cm, { average: null });
  const perClass: Record<string, PerClassMetrics> = {};
  per.labels.forEach((label, i) => {
    perClass[labelKey(label)] = {
      precision: per.precision[i]!,
      recall: per.recall[i]!,
      f1: per.fbeta[i]!,
      support: per.support[i]!,
    };
  });
  return {
    task,
    n_samples: cm.samples,
    labels: cm.labels,
    accuracy: accuracyFromCounts(cm),
    balanced_accuracy: balancedAccuracyFromCounts(cm),
    precision_macro: macro.precision,
    recall_macro: macro.recall,
    f1_macro: macro.fbeta,
    precision_micro: micro.precision,
    recall_micro: micro.recall,
    f1_micro: micro.fbeta,
    precision_weighted: weighted.precision,
    recall_weighted: weighted.recall,
    f1_weighted: weighted.fbeta,
    mcc: matthewsFromCounts(cm),
    cohen_kappa: cohenKappaFromCounts(cm),
    confusion_matrix: confusionMatrixFromCounts(cm),
    per_class: perClass,
  };
}

function resolvePosLabel(labels: Label[], posLabel: Label | undefined): Label {
  if (posLabel === undefined) return defaultPosLabel(labels);
  if (labelIndex(labels, posLabel) < 0 && labels.length >= 2) {
    throw metricsError(
      'METRICS_INVALID_LABEL',
      `pos label ${JSON.stringify(posLabel)} is not one of ${JSON.stringify(labels)}`,
      {
        posLabel,
        labels,
      },
    );
  }
  return posLabel;
}

function addBinary(
  report: ClassificationReport,
  cm: ConfusionCounts,
  yTrueCodes: Int32Array,
  input: MetricsInput,
  warnings: Record<string, string>,
): void {
  const pos = resolvePosLabel(cm.labels, input.posLabel);
  const binary = prfFromCounts(cm, { average: 'binary', posLabel: pos });
  report.pos_label = pos;
  report.precision = binary.precision;
  report.recall = binary.recall;
  report.f1 = binary.fbeta;
  let score = input.score;
  if (!score && input.proba) {
    const col = input.proba.labels.findIndex((l) => l === pos);
    if (col < 0) {
      throw metricsError(
        'METRICS_CSV_INVALID',
        `no probability column for the positive label ${JSON.stringify(pos)}`,
        { labels: input.proba.labels },
      );
    }
    score = input.proba.columns[col];
  }
  if (!score) return;
  checkSameLength('score', input.yTrue, score);
  const posCode = labelIndex(cm.labels, pos);
  const mask = new Uint8Array(yTrueCodes.length);
  for (let i = 0; i < mask.length; i++) mask[i] = yTrueCodes[i] === posCode ? 1 : 0;
  const trueLabels = distinctSorted(input.yTrue);
  if (trueLabels.length > 2)
    throw metricsError('METRICS_NOT_BINARY', 'binary metrics need at most 2 labels in y_true', {
      labels: trueLabels.slice(0, 10),
    });
  // one sorted curve serves ROC AUC, average precision and the curve points
  rankingInternals.checkScores('score', score);
  const clf = rankingInternals.binaryClfCurveFromMask(mask, score);
  report.roc_auc = guarded(warnings, 'roc_auc', () => rankingInternals.rocAucFromClf(clf, 'roc_auc'));
  report.average_precision = rankingInternals.averagePrecisionFromClf(clf);
  // log_loss takes the probability of the greater label; flip when the positive label is the lesser one.
  const greater = pos === cm.labels[cm.labels.length - 1];
  const pGreater = greater ? score : Float64Array.from({ length: score.length }, (_, i) => 1 - score[i]!);
  const logLossLabels = cm.labels.length === 2 ? cm.labels : undefined;
  report.log_loss = guarded(warnings, 'log_loss', () =>
    logLoss(input.yTrue, pGreater, { labels: logLossLabels }),
  );
  report.brier = guarded(warnings, 'brier', () => brierScoreLoss(input.yTrue, score, { posLabel: pos }));
  if (input.curves) {
    const roc = rankingInternals.rocFromClf(clf, true);
    const pr = rankingInternals.prFromClf(clf);
    report.roc_curve = { fpr: [...roc.fpr], tpr: [...roc.tpr], thresholds: [...roc.thresholds] };
    report.precision_recall_curve = {
      precision: [...pr.precision],
      recall: [...pr.recall],
      thresholds: [...pr.thresholds],
    };
  }
}

function addMulticlassProba(
  report: ClassificationReport,
  input: MetricsInput,
  warnings: Record<string, string>,
): void {
  const proba = input.proba!;
  const order = proba.labels
    .map((label, i) => ({ label, i }))
    .sort((a, b) => compareLabels(a.label, b.label));
  const labels = order.map((o) => o.label);
  const columns = order.map((o) => proba.columns[o.i]!);
  report.log_loss = guarded(warnings, 'log_loss', () => logLoss(input.yTrue, { columns }, { labels }));
  for (const multiClass of ['ovr', 'ovo'] as const) {
    for (const average of ['macro', 'weighted'] as const) {
      const key = `roc_auc_${multiClass}_${average}` as const;
      report[key] = guarded(warnings, key, () =>
        rocAucScoreMulticlass(input.yTrue, { columns }, { multiClass, average, labels }),
      );
    }
  }
}
