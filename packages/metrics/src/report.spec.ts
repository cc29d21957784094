import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCsvColumns } from '@cairn/table';
import {
  type ClassificationReport,
  computeMetrics,
  encodeLabels,
  inferTask,
  metricsInputFromCsv,
  npSum,
  rocAucScore,
  logLoss,
  sortLabels,
} from './index';

const parseCsv = (text: string) => parseCsvColumns(text, { file: 'input' });

describe('labels', () => {
  it('sorts like np.unique: numbers ascending, strings by code point (not UTF-16 units)', () => {
    expect(sortLabels([10, 2, -1, 2])).toEqual([-1, 2, 10]);
    expect(sortLabels(['b', 'a', 'Z', 'é', 'aa', '\u{1F600}', '\uFF01'])).toEqual([
      'Z',
      'a',
      'aa',
      'b',
      'é',
      '\uFF01',
      '\u{1F600}',
    ]);
    expect(() => sortLabels([1, '1'])).toThrow(
      expect.objectContaining({ code: 'METRICS_MIXED_LABEL_TYPES' }),
    );
    const { labels, codes } = encodeLabels([
      ['b', 'a', 'b'],
      ['c', 'a', 'a'],
    ]);
    expect(labels).toEqual(['a', 'b', 'c']);
    expect([...codes[0]!, ...codes[1]!]).toEqual([1, 0, 1, 2, 0, 0]);
  });
});

describe('npSum', () => {
  it('is bit-identical to numpy np.sum (pairwise inside 8192-element blocks)', () => {
    const arrays = [5, 9, 127, 129, 1000, 8193, 20011].map((n, k) =>
      Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k) * 43758.5453),
    );
    const py =
      'import json,sys,numpy as np\nprint(json.dumps([float(np.sum(np.array(a))) for a in json.load(sys.stdin)]))';
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify(arrays), encoding: 'utf8' }),
    ) as number[];
    const naive = arrays.map((a) => a.reduce((x, y) => x + y, 0));
    expect(arrays.map((a) => npSum(a))).toEqual(expected);
    expect(naive).not.toEqual(expected); // the order matters, so this is a real check
  });
});

describe('computeMetrics', () => {
  it('infers the task', () => {
    expect(inferTask({ yTrue: [0, 1, 1], yPred: [1, 1, 0] })).toBe('binary');
    expect(inferTask({ yTrue: ['a', 'b', 'c'], yPred: ['a', 'a', 'a'] })).toBe('multiclass');
    expect(inferTask({ yTrue: [0.5, 1.25], yPred: [1, 2] })).toBe('regression');
    expect(
      inferTask({
        yTrue: [0, 1],
        yPred: [0, 1],
        proba: {
          labels: [0, 1, 2],
          columns: [
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        },
      }),
    ).toBe('multiclass');
  });

  it('binary report: keys of the contract, pos label default = greater label', () => {
    const r = computeMetrics({
      yTrue: ['no', 'yes', 'yes', 'no'],
      yPred: ['no', 'yes', 'no', 'no'],
      score: [0.1, 0.9, 0.4, 0.3],
    }) as ClassificationReport;
    expect(r.task).toBe('binary');
    expect(r.pos_label).toBe('yes');
    expect(r.labels).toEqual(['no', 'yes']);
    expect(r.confusion_matrix).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(0.5);
    expect(r.roc_auc).toBe(1);
    expect(r.per_class.yes).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    for (const key of [
      'accuracy',
      'balanced_accuracy',
      'f1_macro',
      'f1_micro',
      'f1_weighted',
      'mcc',
      'cohen_kappa',
      'average_precision',
      'log_loss',
      'brier',
    ]) {
      expect(typeof (r as unknown as Record<string, unknown>)[key]).toBe('number');
    }
  });

  it('metrics scikit-learn refuses become null with a warning, the rest is still computed', () => {
    const r = computeMetrics({
      task: 'binary',
      yTrue: [1, 1, 1],
      yPred: [1, 0, 1],
      score: [0.9, 0.2, 0.8],
    }) as ClassificationReport;
    expect(r.roc_auc).toBeNull();
    expect(r.warnings?.roc_auc).toMatch(/only one class/);
    expect(r.accuracy).toBeCloseTo(2 / 3, 15);
    expect(() => rocAucScore([1, 1], [0.2, 0.3])).toThrow(
      expect.objectContaining({ code: 'METRICS_UNDEFINED' }),
    );
  });

  it('probability labels given as strings are matched to numeric data labels', () => {
    const r = computeMetrics({
      yTrue: [0, 1, 2, 2],
      yPred: [0, 2, 2, 1],
      proba: {
        labels: ['2', '0', '1'],
        columns: [
          [0.1, 0.5, 0.7, 0.3],
          [0.8, 0.2, 0.1, 0.3],
          [0.1, 0.3, 0.2, 0.4],
        ],
      },
    }) as ClassificationReport;
    const rows = [
      [0.8, 0.1, 0.1],
      [0.2, 0.3, 0.5],
      [0.1, 0.2, 0.7],
      [0.3, 0.4, 0.3],
    ];
    expect(r.log_loss).toBe(logLoss([0, 1, 2, 2], rows));
    expect(r.roc_auc_ovr_macro).toBeTypeOf('number');
  });

  it('rejects inconsistent input with stable codes', () => {
    expect(() => computeMetrics({ yTrue: [1, 2], yPred: [1] })).toThrow(
      expect.objectContaining({ code: 'METRICS_LENGTH_MISMATCH' }),
    );
    expect(() => computeMetrics({ yTrue: [], yPred: [] })).toThrow(
      expect.objectContaining({ code: 'METRICS_EMPTY_INPUT' }),
    );
    expect(() => computeMetrics({ task: 'binary', yTrue: [1, 2, 3], yPred: [1, 2, 3] })).toThrow(
      expect.objectContaining({ code: 'METRICS_NOT_BINARY' }),
    );
    expect(() => computeMetrics({ task: 'binary', yTrue: [0, 1], yPred: [0, 1], posLabel: 7 })).toThrow(
      expect.objectContaining({ code: 'METRICS_INVALID_LABEL' }),
    );
    expect(() => computeMetrics({ task: 'regression', yTrue: ['a'], yPred: [1] })).toThrow(
      expect.objectContaining({ code: 'METRICS_INVALID_SCORE' }),
    );
    expect(() => rocAucScore([0, 1], [0.5, Number.NaN])).toThrow(
      expect.objectContaining({ code: 'METRICS_INVALID_SCORE' }),
    );
  });
});

describe('metrics CSV contract (read by @cairn/table)', () => {
  it('names the physical line of a bad value (1-based, header = line 1, quoted newlines counted)', () => {
    // Lines: 1 header, 2 blank, 3-5 a row with a 3-line quoted field, 6 a row with a bad score.
    const text = 'y_true,y_pred,score\n\n"a\nb\nc",x,0.5\nd,e,high\n';
    expect(() => metricsInputFromCsv(parseCsv(text), { file: 'm.csv' })).toThrow(
      expect.objectContaining({ data: { file: 'm.csv', line: 6, column: 'score' } }),
    );
  });

  it('hex, blank and Infinity cells are not numbers (the table number rule)', () => {
    for (const cell of ['0x10', '', 'Infinity']) {
      expect(() =>
        metricsInputFromCsv(parseCsv(`y_true,y_pred,score\n0,1,"${cell}"\n`), { file: 'h.csv' }),
      ).toThrow(
        expect.objectContaining({
          code: 'METRICS_CSV_INVALID',
          data: expect.objectContaining({ line: 2 }),
        }),
      );
    }
  });

  it('numeric labels when every y value is numeric, strings otherwise; proba_<label> columns', () => {
    const numeric = metricsInputFromCsv(
      parseCsv('y_true,y_pred,proba_0,proba_1\n0,1,0.4,0.6\n1,1,0.2,0.8\n'),
    );
    expect([...(numeric.yTrue as Float64Array)]).toEqual([0, 1]);
    expect(numeric.proba?.labels).toEqual([0, 1]);
    const text = metricsInputFromCsv(parseCsv('y_true,y_pred\n0,a\n1,b\n'), { posLabel: 'b' });
    expect(text.yTrue).toEqual(['0', '1']);
    expect(text.posLabel).toBe('b');
    expect(() => metricsInputFromCsv(parseCsv('y_true,y_pred,score\n0,1,high\n'), { file: 's.csv' })).toThrow(
      expect.objectContaining({
        code: 'METRICS_CSV_INVALID',
        data: { file: 's.csv', line: 2, column: 'score' },
      }),
    );
  });
});
