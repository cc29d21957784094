import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracyScore,
  confusionMatrix,
  fbetaScore,
  logLoss,
  matthewsCorrcoef,
  precisionRecallFscoreSupport,
  rocAucScore,
  rocAucScoreMulticlass,
  rocAucScoreMultilabel,
  rocCurve,
} from './index';
import { oraclePath } from '../../../tools/test-support/src';

/** scikit-learn 1.2.1's own test cases with full-precision expected values (an independent oracle). */
interface Case {
  id: string;
  y_true?: number[];
  y_pred?: number[];
  y_proba?: number[][];
  sklearn_value?: Record<string, unknown>;
  cases?: Array<Record<string, unknown>>;
}
const file = oraclePath('sklearn', 'sklearn-metrics-sample.json');
const cases = (JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] }).cases;
const byId = (id: string): Case => {
  const c = cases.find((x) => x.id === id);
  if (!c) throw new Error(`case ${id} missing from ${file}`);
  return c;
};

function close(actual: number, expected: number): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  const tol = Math.max(1e-9 * Math.abs(expected), 1e-12);
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}
function closeAll(actual: ArrayLike<number>, expected: unknown): void {
  const exp = expected as number[];
  expect(actual.length).toBe(exp.length);
  exp.forEach((e, i) => close(actual[i]!, e));
}
function closeMatrix(actual: number[][], expected: unknown): void {
  const exp = expected as number[][];
  expect(actual.length).toBe(exp.length);
  exp.forEach((row, i) => closeAll(actual[i]!, row));
}

describe('scikit-learn 1.2.1 reference sample', () => {
  it('covers every case id in the file', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(
      [
        'binary_averaged_toy',
        'binary_iris_svc_prf',
        'confusion_matrix_normalize',
        'multiclass_iris_svc',
        'roc_auc_toydata',
      ].sort(),
    );
  });

  it('binary_iris_svc_prf', () => {
    const c = byId('binary_iris_svc_prf');
    const v = c.sklearn_value!;
    const yt = c.y_true!;
    const yp = c.y_pred!;
    const per = precisionRecallFscoreSupport(yt, yp, { average: null });
    closeAll(per.precision, v.precision_per_class);
    closeAll(per.recall, v.recall_per_class);
    closeAll(per.fbeta, v.f1_per_class);
    closeAll(per.support, v.support);
    const bin = precisionRecallFscoreSupport(yt, yp, { average: 'binary', posLabel: 1 });
    close(bin.precision, v.precision_binary as number);
    close(bin.recall, v.recall_binary as number);
    close(bin.fbeta, v.f1_binary as number);
    close(fbetaScore(yt, yp, { beta: 2, posLabel: 1 }), v.f2_binary as number);
    close(accuracyScore(yt, yp), v.accuracy as number);
  });

  it('multiclass_iris_svc', () => {
    const c = byId('multiclass_iris_svc');
    const v = c.sklearn_value!;
    const yt = c.y_true!;
    const yp = c.y_pred!;
    const per = precisionRecallFscoreSupport(yt, yp, { average: null });
    closeAll(per.precision, v.precision_per_class);
    closeAll(per.recall, v.recall_per_class);
    closeAll(per.fbeta, v.f1_per_class);
    closeAll(per.support, v.support);
    for (const avg of ['micro', 'macro', 'weighted'] as const) {
      const r = precisionRecallFscoreSupport(yt, yp, { average: avg });
      close(r.precision, v[`precision_${avg}`] as number);
      close(r.recall, v[`recall_${avg}`] as number);
      close(r.fbeta, v[`f1_${avg}`] as number);
    }
    const sub = v.labels_021 as Record<string, number[]>;
    const r021 = precisionRecallFscoreSupport(yt, yp, { average: null, labels: [0, 2, 1] });
    closeAll(r021.precision, sub.precision);
    closeAll(r021.recall, sub.recall);
    closeAll(r021.fbeta, sub.f1);
    closeAll(r021.support, sub.support);
    closeMatrix(confusionMatrix(yt, yp), v.confusion_matrix);
    closeMatrix(confusionMatrix(yt, yp, { labels: [0, 1] }), v.confusion_matrix_labels_01);
    closeMatrix(confusionMatrix(yt, yp, { labels: [2, 1] }), v.confusion_matrix_labels_21);
    close(accuracyScore(yt, yp), v.accuracy as number);
    close(
      rocAucScoreMulticlass(yt, c.y_proba!, { multiClass: 'ovr', average: 'macro' }),
      v.roc_auc_ovr_macro as number,
    );
    close(
      rocAucScoreMulticlass(yt, c.y_proba!, { multiClass: 'ovr', average: 'weighted' }),
      v.roc_auc_ovr_weighted as number,
    );
    close(
      rocAucScoreMulticlass(yt, c.y_proba!, { multiClass: 'ovo', average: 'macro' }),
      v.roc_auc_ovo_macro as number,
    );
    close(logLoss(yt, c.y_proba!), v.log_loss as number);
  });

  it('binary_averaged_toy', () => {
    const c = byId('binary_averaged_toy');
    const v = c.sklearn_value! as Record<string, Record<string, number | number[]>>;
    const yt = c.y_true!;
    const yp = c.y_pred!;
    const per = precisionRecallFscoreSupport(yt, yp, { average: null });
    closeAll(per.precision, v.None!.precision);
    closeAll(per.recall, v.None!.recall);
    closeAll(per.fbeta, v.None!.f1);
    for (const avg of ['binary', 'micro', 'macro', 'weighted'] as const) {
      const r = precisionRecallFscoreSupport(yt, yp, { average: avg });
      close(r.precision, v[avg]!.precision as number);
      close(r.recall, v[avg]!.recall as number);
      close(r.fbeta, v[avg]!.f1 as number);
    }
    closeMatrix(confusionMatrix(yt, yp), v.confusion_matrix);
    close(accuracyScore(yt, yp), v.accuracy as unknown as number);
    close(matthewsCorrcoef(yt, yp), v.mcc as unknown as number);
  });

  it('confusion_matrix_normalize', () => {
    const c = byId('confusion_matrix_normalize');
    const v = c.sklearn_value!;
    for (const norm of ['true', 'pred', 'all'] as const)
      closeMatrix(confusionMatrix(c.y_true!, c.y_pred!, { normalize: norm }), v[norm]);
    closeMatrix(confusionMatrix(c.y_true!, c.y_pred!), v.None);
  });

  it('roc_auc_toydata', () => {
    const c = byId('roc_auc_toydata');
    let checked = 0;
    for (const t of c.cases!) {
      const yTrue = t.y_true as number[] | number[][];
      const yScore = t.y_score as number[] | number[][];
      if (t.multilabel) {
        const sv = t.sklearn_value as Record<string, number>;
        for (const avg of ['macro', 'weighted', 'samples', 'micro'] as const) {
          close(rocAucScoreMultilabel(yTrue as number[][], yScore as number[][], { average: avg }), sv[avg]!);
          checked++;
        }
      } else if (t.sklearn_value === undefined) {
        // only one class in y_true: scikit-learn raises; so do we, with a stable code
        expect(() => rocAucScore(yTrue as number[], yScore as number[])).toThrow(
          expect.objectContaining({ code: 'METRICS_UNDEFINED' }),
        );
        const curve = rocCurve(yTrue as number[], yScore as number[]);
        expect(curve.tpr.every(Number.isNaN)).toBe(true);
        checked++;
      } else {
        close(rocAucScore(yTrue as number[], yScore as number[]), t.sklearn_value as number);
        const expected = t.roc_curve_sklearn_1_2 as { fpr: number[]; tpr: number[]; thresholds: number[] };
        const curve = rocCurve(yTrue as number[], yScore as number[]);
        closeAll(curve.fpr, expected.fpr);
        closeAll(curve.tpr, expected.tpr);
        closeAll(curve.thresholds, expected.thresholds);
        checked++;
      }
    }
    expect(checked).toBe(5 + 1 + 2 * 4);
  });
});
