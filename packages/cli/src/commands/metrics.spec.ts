import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeMetrics } from '@cairn/metrics';
import { runCli, runCliProcess } from '../../test/run-cli';
import { MAX_LABEL_CHARS, renderMetricsText } from './metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../tools/test-support/src';

let dir: string;

/** scikit-learn 1.2.1 reading the same CSV: the independent oracle for the JSON contract. */
const ORACLE = String.raw`
import csv, json, sys, warnings
import numpy as np
from sklearn import metrics as M
warnings.simplefilter("ignore")
def compute(path, task, pos):
  rows = list(csv.DictReader(open(path)))
  def col(name, conv=str): return np.array([conv(r[name]) for r in rows])
  out = {}
  if task == "regression":
      yt, yp = col("y_true", float), col("y_pred", float)
      out = dict(mae=M.mean_absolute_error(yt, yp), mse=M.mean_squared_error(yt, yp),
                 rmse=M.mean_squared_error(yt, yp, squared=False), r2=M.r2_score(yt, yp),
                 mape=M.mean_absolute_percentage_error(yt, yp))
  else:
      yt, yp = col("y_true"), col("y_pred")
      out["accuracy"] = M.accuracy_score(yt, yp)
      out["balanced_accuracy"] = M.balanced_accuracy_score(yt, yp)
      for avg in ("macro", "micro", "weighted"):
          p, r, f, _ = M.precision_recall_fscore_support(yt, yp, average=avg)
          out["precision_" + avg], out["recall_" + avg], out["f1_" + avg] = p, r, f
      out["mcc"] = M.matthews_corrcoef(yt, yp)
      out["cohen_kappa"] = M.cohen_kappa_score(yt, yp)
      out["confusion_matrix"] = M.confusion_matrix(yt, yp).tolist()
      out["labels"] = np.unique(np.concatenate([yt, yp])).tolist()
      if task == "binary":
          p, r, f, _ = M.precision_recall_fscore_support(yt, yp, average="binary", pos_label=pos)
          out.update(precision=p, recall=r, f1=f)
          s = col("score", float)
          out["roc_auc"] = M.roc_auc_score(yt == pos, s)
          out["average_precision"] = M.average_precision_score(yt, s, pos_label=pos)
          out["log_loss"] = M.log_loss(yt == pos, s)
          out["brier"] = M.brier_score_loss(yt, s, pos_label=pos)
      else:
          labels = sorted(k[len("proba_"):] for k in rows[0] if k.startswith("proba_"))
          proba = np.column_stack([col("proba_" + l, float) for l in labels])
          out["log_loss"] = M.log_loss(yt, proba, labels=labels)
          for mc in ("ovr", "ovo"):
              for avg in ("macro", "weighted"):
                  out["roc_auc_%s_%s" % (mc, avg)] = M.roc_auc_score(yt, proba, multi_class=mc, average=avg, labels=labels)
  return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}
args = sys.argv[1:]
print(json.dumps([compute(*args[i:i + 3]) for i in range(0, len(args), 3)]))
`;

const ORACLE_RUNS: Array<[string, string, string]> = [
  ['binary.csv', 'binary', 'spam'],
  ['binary.csv', 'binary', 'ham'],
  ['multi.csv', 'multiclass', ''],
  ['reg.csv', 'regression', ''],
];
let oracle: Array<Record<string, unknown>> = [];

/** Expected values computed by one python process in beforeAll. */
function sklearn(file: string, task: string, pos = ''): Record<string, unknown> {
  const i = ORACLE_RUNS.findIndex(([f, t, p]) => join(dir, f) === file && t === task && p === pos);
  if (i < 0) throw new Error(`no oracle run for ${file} ${task} ${pos}`);
  return oracle[i]!;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-metrics-'));
  const r = seededRandom(7);
  const bin = ['y_true,y_pred,score'];
  for (let i = 0; i < 500; i++) {
    const pos = r() < 0.4;
    const score = Math.round(Math.min(1, Math.max(0, r() * 0.7 + (pos ? 0.3 : 0))) * 100) / 100;
    bin.push(`${pos ? 'spam' : 'ham'},${score >= 0.5 ? 'spam' : 'ham'},${score}`);
  }
  writeFileSync(join(dir, 'binary.csv'), `${bin.join('\r\n')}\r\n`);
  const labels = ['setosa', 'versicolor', 'virginica'];
  const multi = ['"y_true","y_pred",proba_virginica,proba_setosa,proba_versicolor'];
  for (let i = 0; i < 300; i++) {
    const t = Math.floor(r() * 3);
    const w = [r(), r(), r()];
    w[t]! += 1;
    const s = w[0]! + w[1]! + w[2]!;
    const p = w.map((x) => x / s);
    const pred = p.indexOf(Math.max(...p));
    multi.push(`${labels[t]},"${labels[pred]}",${p[2]},${p[0]},${p[1]}`);
  }
  writeFileSync(join(dir, 'multi.csv'), `${multi.join('\n')}\n`);
  const reg = ['y_true,y_pred'];
  for (let i = 0; i < 200; i++) {
    const t = r() * 10 - 2;
    reg.push(`${t},${t + (r() - 0.5)}`);
  }
  writeFileSync(join(dir, 'reg.csv'), reg.join('\n'));
  writeFileSync(join(dir, 'bad.csv'), 'truth,y_pred\n1,1\n');
  const args = ORACLE_RUNS.flatMap(([f, t, p]) => [join(dir, f), t, p]);
  oracle = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', ORACLE, ...args], { encoding: 'utf8' }),
  ) as Array<Record<string, unknown>>;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cairn = (...args: string[]) => runCli(args);

function expectAgrees(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === 'number') {
      const a = actual[key] as number;
      expect(Math.abs(a - value), `${key}: ${a} vs ${value}`).toBeLessThanOrEqual(
        Math.max(1e-9 * Math.abs(value), 1e-12),
      );
    } else {
      expect(actual[key], key).toEqual(value);
    }
  }
}

describe('cairn metrics', () => {
  it('binary with string labels: every contract key agrees with scikit-learn (task inferred, CRLF file)', async () => {
    const { code, stdout } = await cairn('metrics', join(dir, 'binary.csv'), '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report.task).toBe('binary');
    expect(report.pos_label).toBe('spam');
    expectAgrees(report, sklearn(join(dir, 'binary.csv'), 'binary', 'spam'));
    expect(Object.keys(report.per_class as object)).toEqual(['ham', 'spam']);
  });

  it('--pos-label picks the other class', async () => {
    const { code, stdout } = await cairn('metrics', join(dir, 'binary.csv'), '--json', '--pos-label', 'ham');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Record<string, number>;
    const expected = sklearn(join(dir, 'binary.csv'), 'binary', 'ham');
    for (const key of ['precision', 'recall', 'f1', 'average_precision', 'brier'])
      expectAgrees(report, { [key]: expected[key] });
  });

  it('multiclass with quoted fields and proba columns in any order', async () => {
    const { code, stdout } = await cairn('metrics', join(dir, 'multi.csv'), '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report.task).toBe('multiclass');
    expectAgrees(report, sklearn(join(dir, 'multi.csv'), 'multiclass'));
  });

  it('regression (inferred from non-integer values) and a readable text report', async () => {
    const json = await cairn('metrics', join(dir, 'reg.csv'), '--json');
    expect(json.code).toBe(0);
    expectAgrees(JSON.parse(json.stdout) as Record<string, unknown>, {
      task: 'regression',
      ...sklearn(join(dir, 'reg.csv'), 'regression'),
    });
    const text = await cairn('metrics', join(dir, 'reg.csv'));
    expect(text.stdout).toMatch(/^rmse\s+\d+\.\d{6}$/m);
  });

  it('text report shows the confusion matrix', async () => {
    const { stdout } = await cairn('metrics', join(dir, 'binary.csv'));
    expect(stdout).toContain('confusion matrix (rows: true, columns: predicted)');
    expect(stdout).toMatch(/^roc_auc\s+0\.\d{6}$/m);
  });

  it('bad input exits 2 with a stable code', async () => {
    const missing = await cairn('metrics', join(dir, 'bad.csv'), '--json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('METRICS_CSV_INVALID');
    expect(missing.stderr).toContain('missing column y_true');
    const task = await cairn('metrics', join(dir, 'binary.csv'), '--task', 'ranking');
    expect(task.code).toBe(2);
    expect(task.stderr).toContain('OPTION_INVALID');
    const multiAsBinary = await cairn('metrics', join(dir, 'multi.csv'), '--task', 'binary');
    expect(multiAsBinary.code).toBe(2);
  });

  it('row numbers in CSV errors are the physical line (1-based, header = line 1)', async () => {
    // 1 header, 2-4 a row whose quoted y_true spans three lines, 5 blank, 6 a bad score.
    const file = join(dir, 'lines.csv');
    writeFileSync(file, 'y_true,y_pred,score\n"a\nb\nc",x,0.5\n\nd,e,high\n');
    const r = await cairn('metrics', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[METRICS_CSV_INVALID]: ${file}:6: column score is "high"`);
    writeFileSync(file, 'y_true,y_pred\n1.5,2\n\n"3\n",4\n"x",5\n');
    const regression = await cairn('metrics', file, '--task', 'regression');
    expect(regression.code).toBe(2);
    expect(regression.stderr).toContain(`${file}:6: column y_true is "x", not a finite number`);
  });

  it('a multi-megabyte label is clipped in the text report (the real CLI process)', async () => {
    const labels = ['A', 'B', 'C'].map((c) => c.repeat(2_000_000));
    const file = join(dir, 'huge-labels.csv');
    writeFileSync(file, `y_true,y_pred\n${labels.map((l, i) => `${l},${labels[(i + 1) % 3]}`).join('\n')}\n`);
    const r = await runCliProcess(['metrics', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${'A'.repeat(MAX_LABEL_CHARS)}…(2000000 chars)`);
    expect(r.stdout.length).toBeLessThan(5_000);
  }, 60_000);

  it('renders labels whose padded table would exceed the longest string V8 allows (RangeError before)', () => {
    const labels = Array.from({ length: 9 }, (_, i) => `${'L'.repeat(8_000_000)}${i}`);
    const report = computeMetrics({ yTrue: labels, yPred: [...labels.slice(1), labels[0]!] });
    const text = renderMetricsText(report);
    expect(text).toContain(`${'L'.repeat(MAX_LABEL_CHARS)}…(8000001 chars)`);
    expect(text.length).toBeLessThan(10_000);
  });
});
