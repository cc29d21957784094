/**
 * Runs Debian's scikit-learn (/usr/bin/python3) on a batch of permutation
 * importance cases: the oracle of the explain specs. Each case names one of
 * the deterministic models below, which the specs reimplement in TypeScript
 * with the same floating-point operations, so both sides score the same
 * predictions.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import json, sys
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.inspection import permutation_importance

class Regressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y): return self
    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return 1.5 * X[:, 0] - 2.0 * X[:, 1] + 0.5 * X[:, 2] * X[:, 3]

class Classifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y): return self
    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return np.where(X[:, 0] + X[:, 1] > 0.3, "a", "b")

cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    model = Regressor() if c["model"] == "regressor" else Classifier()
    X = np.asarray(c["X"], dtype=float)
    y = np.asarray(c["y"])
    r = permutation_importance(model, X, y, n_repeats=c["n_repeats"], random_state=c["seed"])
    out.append({"mean": r.importances_mean.tolist(), "std": r.importances_std.tolist(), "importances": r.importances.tolist()})
json.dump(out, open(sys.argv[2], "w"))
`;

export interface ImportanceCase {
  model: 'regressor' | 'classifier';
  X: number[][];
  y: Array<number | string>;
  n_repeats: number;
  seed: number;
}

export interface ImportanceAnswer {
  mean: number[];
  std: number[];
  importances: number[][];
}

export function runSklearn(cases: ImportanceCase[]): ImportanceAnswer[] {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: install the oracle with: apt-get install -y python3-sklearn`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-explain-oracle-'));
  try {
    const input = path.join(dir, 'cases.json');
    const output = path.join(dir, 'answers.json');
    const script = path.join(dir, 'oracle.py');
    fs.writeFileSync(script, SCRIPT);
    fs.writeFileSync(input, JSON.stringify(cases));
    execFileSync(PYTHON, [script, input, output], {
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 26,
    });
    return JSON.parse(fs.readFileSync(output, 'utf8')) as ImportanceAnswer[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same models, operation for operation. */
export function regressor(row: readonly number[]): number {
  return 1.5 * row[0]! - 2.0 * row[1]! + 0.5 * row[2]! * row[3]!;
}

export function classifier(row: readonly number[]): string {
  return row[0]! + row[1]! > 0.3 ? 'a' : 'b';
}
