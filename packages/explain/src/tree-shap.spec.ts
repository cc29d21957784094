import { describe, expect, it } from 'vitest';
import { RandomForestRegression } from 'ml-random-forest';
import { seededRandom } from '../../../tools/test-support/src';
import {
  bruteForceTreeShapley,
  fromMlRandomForest,
  treeShap,
  validateEnsemble,
  type TreeEnsemble,
  type TreeNode,
} from './tree-shap';

const TOL = 1e-9;

function randomTree(random: () => number, features: number, depth: number): TreeNode {
  if (depth === 0 || random() < 0.15) return { value: random() * 10 - 5, cover: 0 };
  const left = randomTree(random, features, depth - 1);
  const right = randomTree(random, features, depth - 1);
  // Reusing a few features often exercises UNWIND (a feature met twice on one path).
  const feature = Math.floor(random() ** 2 * features);
  return { feature, threshold: random() * 2 - 1, left, right, cover: 0 };
}

function withCovers(node: TreeNode, random: () => number): number {
  if ('value' in node) {
    node.cover = 1 + Math.floor(random() * 20);
    return node.cover;
  }
  node.cover = withCovers(node.left, random) + withCovers(node.right, random);
  return node.cover;
}

function compare(ensemble: TreeEnsemble, x: number[]): void {
  const fast = treeShap(ensemble, x);
  const brute = bruteForceTreeShapley(ensemble, x);
  const scale = Math.max(1, Math.abs(brute.prediction - brute.expectedValue));
  fast.values.forEach((v, i) => {
    if (Math.abs(v - brute.values[i]!) > TOL * scale)
      throw new Error(`feature ${i}: brute ${brute.values[i]}, TreeSHAP ${v}`);
  });
  expect(Math.abs(fast.prediction - brute.prediction)).toBeLessThan(1e-12 * scale);
  expect(Math.abs(fast.expectedValue - brute.expectedValue)).toBeLessThan(1e-12 * scale);
  const sum = fast.values.reduce((a, b) => a + b, 0);
  expect(Math.abs(sum - (fast.prediction - fast.expectedValue))).toBeLessThanOrEqual(TOL * scale);
}

describe('TreeSHAP against brute-force subset enumeration', () => {
  for (const [seed, features, depth, trees] of [
    [1611, 3, 4, 1],
    [1612, 6, 6, 3],
    [1613, 10, 8, 5],
    [1614, 8, 10, 2],
  ] as const) {
    it(`random ensembles: ${trees} trees, ${features} features, depth <= ${depth} (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const ensemble: TreeEnsemble = {
        featureCount: features,
        trees: Array.from({ length: trees }, () => randomTree(random, features, depth)),
      };
      ensemble.trees.forEach((t) => withCovers(t, random));
      validateEnsemble(ensemble);
      for (let r = 0; r < 15; r++)
        compare(
          ensemble,
          Array.from({ length: features }, () => random() * 2.4 - 1.2),
        );
    });
  }

  it('an ml-random-forest regressor: same predictions as the forest, brute force and additivity on every row', () => {
    const random = seededRandom(1615);
    const features = 6;
    const X = Array.from({ length: 120 }, () => Array.from({ length: features }, () => random() * 4 - 2));
    const y = X.map((r) => 2 * r[0]! - r[1]! * r[2]! + (r[3]! > 0 ? 1.5 : -0.5) + 0.1 * random());
    const forest = new RandomForestRegression({
      nEstimators: 8,
      maxFeatures: 0.8,
      seed: 3,
      treeOptions: { maxDepth: 5 },
      noOOB: true,
    });
    forest.train(X, y);
    const ensemble = fromMlRandomForest(JSON.parse(JSON.stringify(forest.toJSON())), features, X);
    const predictions = forest.predict(X.slice(0, 20)) as number[];
    X.slice(0, 20).forEach((x, i) => {
      const e = treeShap(ensemble, x);
      expect(Math.abs(e.prediction - predictions[i]!)).toBeLessThan(1e-9);
      compare(ensemble, x);
    });
  });

  it('refuses malformed trees with the node path', () => {
    const bad = {
      featureCount: 2,
      trees: [
        { feature: 5, threshold: 0, cover: 1, left: { value: 1, cover: 1 }, right: { value: 2, cover: 0 } },
      ],
    };
    expect(() => validateEnsemble(bad)).toThrow(
      expect.objectContaining({ code: 'EXPLAIN_INVALID_TREE', data: { path: 'trees[0]' } }) as Error,
    );
    const missing = {
      featureCount: 2,
      trees: [{ feature: 0, threshold: 0, cover: 1, left: { value: 1, cover: 1 } } as unknown as TreeNode],
    };
    expect(() => validateEnsemble(missing)).toThrow(
      expect.objectContaining({ code: 'EXPLAIN_INVALID_TREE' }) as Error,
    );
    expect(() => fromMlRandomForest({ estimators: [], indexes: [], isClassifier: true }, 2, [])).toThrow(
      expect.objectContaining({ code: 'EXPLAIN_INVALID_TREE' }) as Error,
    );
  });
});
