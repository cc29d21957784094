import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, initWorkspace } from '@cairn/store';
import {
  gitIn as git,
  POINTS_MODEL,
  writePointsWorkspace,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
import { explainProject, prepareData, train } from './index';

// One trainer, two runtimes: the same rule (label b when x + 0.3·y > 7) as a node module or a python worker.
const TRAINER = `
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { runtime } = JSON.parse(require('node:fs').readFileSync(process.env.CAIRN_PARAMS_FILE, 'utf8'));
const out = process.env.CAIRN_OUTPUT_DIR;
if (runtime === 'node') {
  writeFileSync(join(out, 'predict.cjs'), "exports.load = async () => ({ predict: (rows) => rows.map((r) => ({ label: r.x + 0.3 * r.y > 7 ? 'b' : 'a' })) });\\n");
} else {
  writeFileSync(join(out, 'serve.py'), [
    'import json, sys',
    'for line in sys.stdin:',
    '    request = json.loads(line)',
    '    out = [{"label": "b" if r["x"] + 0.3 * r["y"] > 7 else "a"} for r in request["rows"]]',
    '    print(json.dumps({"id": request["id"], "predictions": out}), flush=True)',
  ].join('\\n') + '\\n');
}
writeFileSync(join(out, 'cairn-model.json'), JSON.stringify({ runtime, entry: runtime === 'node' ? 'predict.cjs' : 'serve.py', task: 'binary', label: 'label', labels: ['a', 'b'], features: [{ name: 'x', type: 'number' }, { name: 'y', type: 'number' }] }));
`;

const ORACLE = String.raw`
import json, sys
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.inspection import permutation_importance
class Rule(ClassifierMixin, BaseEstimator):
    def fit(self, X, y): return self
    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return np.where(X[:, 0] + 0.3 * X[:, 1] > 7, "b", "a")
c = json.load(sys.stdin)
r = permutation_importance(Rule(), np.asarray(c["X"], dtype=float), np.asarray(c["y"]), n_repeats=c["n_repeats"], random_state=c["seed"])
print(json.dumps(r.importances.tolist()))
`;

describe('explain: permutation importance through the model contract', () => {
  const root = mkdtempSync(join(tmpdir(), 'cairn-explain-'));
  beforeAll(async () => {
    writePointsWorkspace(root);
    for (const runtime of ['node', 'python']) {
      write(
        root,
        `models/rule-${runtime}/model.json`,
        JSON.stringify({ ...POINTS_MODEL, params: { runtime } }),
      );
      write(root, `models/rule-${runtime}/train.cjs`, TRAINER);
    }
    await initWorkspace(root);
    await add(root, ['data/points/points.csv']);
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'init');
    for (const runtime of ['node', 'python'])
      await train({ workspaceRoot: root, project: `rule-${runtime}`, log: () => undefined });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a TypeScript and a Python model give scikit-learn numbers and the importance.json contract', async () => {
    const data = await prepareData(root, 'rule-node');
    const oracle = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', ORACLE], {
        input: JSON.stringify({
          X: data.test.map((row) => [row.x, row.y]),
          y: data.test.map((row) => row.label),
          n_repeats: 6,
          seed: 31,
        }),
        encoding: 'utf8',
      }),
    ) as number[][];
    for (const runtime of ['node', 'python']) {
      const { importance, result, dir } = await explainProject({
        workspaceRoot: root,
        project: `rule-${runtime}`,
        nRepeats: 6,
        seed: 31,
        log: () => undefined,
      });
      expect(result.features.map((f) => f.importances)).toEqual(oracle);
      // x decides most labels; the contract file holds exactly the agreed fields.
      expect(importance.features[0]!.importanceMean).toBeGreaterThan(0.1);
      const file = JSON.parse(readFileSync(join(root, dir, 'importance.json'), 'utf8'));
      expect(file).toEqual(importance);
      expect(Object.keys(file)).toEqual(['features']);
      for (const entry of file.features)
        expect(Object.keys(entry).sort()).toEqual(['feature', 'importanceMean', 'importanceStd']);
      expect(readFileSync(join(root, dir, 'importance.csv'), 'utf8').split('\n')[0]).toBe(
        'feature,importance_mean,importance_std,repeat_1,repeat_2,repeat_3,repeat_4,repeat_5,repeat_6',
      );
      expect(readFileSync(join(root, dir, 'importance.svg'), 'utf8')).toMatch(/^<svg/);
      expect(existsSync(join(root, dir, 'importance.vl.json'))).toBe(true);
    }
  });
});
