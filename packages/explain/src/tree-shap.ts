/**
 * TreeSHAP: exact Shapley values of tree ensembles in polynomial time, the
 * path-dependent algorithm of Lundberg, Erion & Lee, "Consistent
 * Individualized Feature Attribution for Tree Ensembles" (2018), Algorithm 2
 * (EXTEND / UNWIND over the unique path of features), as in the `shap`
 * package's tree_shap.h. The value of a coalition S is Algorithm 1's
 * E[f(x) | x_S]: follow x on features in S, otherwise average both children
 * weighted by their cover. `coalitionValue` computes that directly, and is
 * what the brute-force oracle enumerates.
 */
import { explainError } from './errors';
import { shapleyFromCoalitions, type ShapleyExplanation, MAX_EXACT_FEATURES } from './shapley';

/** A split sends x to `left` when x[feature] < threshold (ml-cart's rule; NaN goes right). */
export interface TreeSplit {
  feature: number;
  threshold: number;
  left: TreeNode;
  right: TreeNode;
  /** Training rows (or weight) that reached this node. */
  cover: number;
}

export interface TreeLeaf {
  value: number;
  cover: number;
}

export type TreeNode = TreeSplit | TreeLeaf;

/** An ensemble whose output is the mean of its trees' outputs (a random forest regressor). */
export interface TreeEnsemble {
  trees: TreeNode[];
  featureCount: number;
}

function isLeaf(node: TreeNode): node is TreeLeaf {
  return (node as TreeLeaf).value !== undefined;
}

/** Share of a node's cover each child gets; an internal node no row reached splits evenly. */
function childFractions(node: TreeSplit): [number, number] {
  if (node.cover === 0) return [0.5, 0.5];
  return [node.left.cover / node.cover, node.right.cover / node.cover];
}

/** Checks shape, feature indexes and covers of every node; untrusted trees fail here with the node's path. */
export function validateEnsemble(ensemble: TreeEnsemble): void {
  const visit = (node: TreeNode, path: string, depth: number): void => {
    if (depth > 256)
      throw explainError('EXPLAIN_INVALID_TREE', `${path}: trees deeper than 256 levels are refused`, {
        path,
      });
    if (node === null || typeof node !== 'object') {
      throw explainError('EXPLAIN_INVALID_TREE', `${path}: a node must be an object`, { path });
    }
    if (!(Number.isFinite(node.cover) && node.cover >= 0)) {
      throw explainError('EXPLAIN_INVALID_TREE', `${path}.cover must be a finite number >= 0`, { path });
    }
    if (isLeaf(node)) {
      if (!Number.isFinite(node.value)) {
        throw explainError('EXPLAIN_INVALID_TREE', `${path}.value must be a finite number`, { path });
      }
      return;
    }
    const split = node as Partial<TreeSplit>;
    if (!Number.isInteger(split.feature) || split.feature! < 0 || split.feature! >= ensemble.featureCount) {
      throw explainError(
        'EXPLAIN_INVALID_TREE',
        `${path}.feature must be an integer from 0 to ${ensemble.featureCount - 1}`,
        { path },
      );
    }
    if (typeof split.threshold !== 'number' || Number.isNaN(split.threshold)) {
      throw explainError('EXPLAIN_INVALID_TREE', `${path}.threshold must be a number`, { path });
    }
    if (!split.left || !split.right) {
      throw explainError('EXPLAIN_INVALID_TREE', `${path} needs both a left and a right child (or a value)`, {
        path,
      });
    }
    visit(split.left, `${path}.left`, depth + 1);
    visit(split.right, `${path}.right`, depth + 1);
  };
  if (ensemble.trees.length === 0)
    throw explainError('EXPLAIN_INVALID_TREE', 'the ensemble has no tree', { path: 'trees' });
  ensemble.trees.forEach((tree, i) => visit(tree, `trees[${i}]`, 0));
}

/** E f over the training distribution: leaves weighted by cover. */
function treeExpectedValue(node: TreeNode): number {
  if (isLeaf(node)) return node.value;
  const [l, r] = childFractions(node);
  return l * treeExpectedValue(node.left) + r * treeExpectedValue(node.right);
}

function treePredict(node: TreeNode, x: ArrayLike<number>): number {
  while (!isLeaf(node)) node = (x[node.feature] as number) < node.threshold ? node.left : node.right;
  return node.value;
}

/** Algorithm 1: E[f(x) | x_S] for the coalition `inS`. */
export function coalitionValue(
  node: TreeNode,
  x: ArrayLike<number>,
  inS: (feature: number) => boolean,
): number {
  if (isLeaf(node)) return node.value;
  if (inS(node.feature)) {
    return coalitionValue((x[node.feature] as number) < node.threshold ? node.left : node.right, x, inS);
  }
  const [l, r] = childFractions(node);
  return l * coalitionValue(node.left, x, inS) + r * coalitionValue(node.right, x, inS);
}

/**
 * The unique path of one recursion level, in parallel typed arrays (the C
 * implementation's struct array): level d is written only by calls at tree
 * depth d, so one set of buffers per depth serves the whole traversal without
 * allocating.
 */
interface PathLevel {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function pathLevels(maxDepth: number): PathLevel[] {
  const size = maxDepth + 2;
  return Array.from({ length: maxDepth + 2 }, () => ({
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  }));
}

function extendPath(path: PathLevel, depth: number, zero: number, one: number, feature: number): void {
  path.feature[depth] = feature;
  path.zero[depth] = zero;
  path.one[depth] = one;
  path.weight[depth] = depth === 0 ? 1 : 0;
  const w = path.weight;
  for (let i = depth - 1; i >= 0; i--) {
    w[i + 1]! += (one * w[i]! * (i + 1)) / (depth + 1);
    w[i] = (zero * w[i]! * (depth - i)) / (depth + 1);
  }
}

function unwindPath(path: PathLevel, depth: number, index: number): void {
  const one = path.one[index]!;
  const zero = path.zero[index]!;
  const w = path.weight;
  let next = w[depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = w[i]!;
      w[i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (w[i]! * zero * (depth - i)) / (depth + 1);
    } else {
      w[i] = (w[i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    path.feature[i] = path.feature[i + 1]!;
    path.zero[i] = path.zero[i + 1]!;
    path.one[i] = path.one[i + 1]!;
  }
}

function unwoundPathSum(path: PathLevel, depth: number, index: number): number {
  const one = path.one[index]!;
  const zero = path.zero[index]!;
  const w = path.weight;
  let next = w[depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = w[i]! - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += w[i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function recurse(
  node: TreeNode,
  x: ArrayLike<number>,
  phi: Float64Array,
  levels: PathLevel[],
  level: number,
  depthIn: number,
  zero: number,
  one: number,
  feature: number,
): void {
  const path = levels[level]!;
  if (level > 0) {
    const parent = levels[level - 1]!;
    path.feature.set(parent.feature.subarray(0, depthIn));
    path.zero.set(parent.zero.subarray(0, depthIn));
    path.one.set(parent.one.subarray(0, depthIn));
    path.weight.set(parent.weight.subarray(0, depthIn));
  }
  let depth = depthIn;
  extendPath(path, depth, zero, one, feature);
  if (isLeaf(node)) {
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(path, depth, i);
      phi[path.feature[i]!]! += w * (path.one[i]! - path.zero[i]!) * node.value;
    }
    return;
  }
  const goesLeft = (x[node.feature] as number) < node.threshold;
  const [leftFraction, rightFraction] = childFractions(node);
  const hot = goesLeft ? node.left : node.right;
  const cold = goesLeft ? node.right : node.left;
  const hotZero = goesLeft ? leftFraction : rightFraction;
  const coldZero = goesLeft ? rightFraction : leftFraction;
  let incomingZero = 1;
  let incomingOne = 1;
  let index = 0;
  for (; index <= depth; index++) if (path.feature[index] === node.feature) break;
  if (index !== depth + 1) {
    incomingZero = path.zero[index]!;
    incomingOne = path.one[index]!;
    unwindPath(path, depth, index);
    depth -= 1;
  }
  recurse(hot, x, phi, levels, level + 1, depth + 1, hotZero * incomingZero, incomingOne, node.feature);
  recurse(cold, x, phi, levels, level + 1, depth + 1, coldZero * incomingZero, 0, node.feature);
}

function treeDepth(node: TreeNode): number {
  return isLeaf(node) ? 0 : 1 + Math.max(treeDepth(node.left), treeDepth(node.right));
}

function checkX(ensemble: TreeEnsemble, x: ArrayLike<number>): void {
  if (x.length !== ensemble.featureCount) {
    throw explainError(
      'EXPLAIN_INVALID_INPUT',
      `the row has ${x.length} values but the ensemble uses ${ensemble.featureCount} features`,
      { field: 'x' },
    );
  }
}

/** TreeSHAP values of one row for the ensemble (mean of trees): O(trees · leaves · depth²). */
export function treeShap(ensemble: TreeEnsemble, x: ArrayLike<number>): ShapleyExplanation {
  checkX(ensemble, x);
  const phi = new Float64Array(ensemble.featureCount);
  let expectedValue = 0;
  let prediction = 0;
  const levels = pathLevels(Math.max(...ensemble.trees.map(treeDepth)));
  for (const tree of ensemble.trees) {
    recurse(tree, x, phi, levels, 0, 0, 1, 1, -1);
    expectedValue += treeExpectedValue(tree);
    prediction += treePredict(tree, x);
  }
  const n = ensemble.trees.length;
  return {
    values: Array.from(phi, (v) => v / n),
    expectedValue: expectedValue / n,
    prediction: prediction / n,
  };
}

/** The oracle: Shapley values of the same value function by enumerating all 2^M coalitions. */
export function bruteForceTreeShapley(ensemble: TreeEnsemble, x: ArrayLike<number>): ShapleyExplanation {
  checkX(ensemble, x);
  const m = ensemble.featureCount;
  if (m > MAX_EXACT_FEATURES) {
    throw explainError(
      'EXPLAIN_TOO_MANY_FEATURES',
      `brute force enumerates 2^${m} subsets: at most ${MAX_EXACT_FEATURES} features`,
      {
        features: m,
      },
    );
  }
  const values = new Float64Array(1 << m);
  for (let mask = 0; mask < 1 << m; mask++) {
    let sum = 0;
    for (const tree of ensemble.trees) sum += coalitionValue(tree, x, (f) => ((mask >>> f) & 1) === 1);
    values[mask] = sum / ensemble.trees.length;
  }
  return {
    values: shapleyFromCoalitions(values, m),
    expectedValue: values[0]!,
    prediction: values[(1 << m) - 1]!,
  };
}

interface MlCartNode {
  splitColumn?: number;
  splitValue?: number;
  left?: MlCartNode;
  right?: MlCartNode;
  distribution?: unknown;
}

interface MlRandomForestJson {
  indexes?: unknown;
  estimators?: Array<{ root?: MlCartNode }>;
  isClassifier?: boolean;
  selectionMethod?: string;
  /** RandomForestRegression.toJSON() wraps the forest in `baseModel`. */
  baseModel?: MlRandomForestJson;
}

/**
 * Converts an ml-random-forest regressor (its `toJSON()`, or the bare base model) into a TreeEnsemble
 * over the original feature columns. ml-cart does not keep leaf sample
 * counts, so covers are the number of `background` rows (e.g. the training
 * split) reaching each node.
 */
export function fromMlRandomForest(
  forest: unknown,
  featureCount: number,
  background: readonly (readonly number[])[],
): TreeEnsemble {
  const outer = forest as MlRandomForestJson | null;
  const json = (
    outer && typeof outer === 'object' && outer.baseModel
      ? { ...outer.baseModel, selectionMethod: outer.selectionMethod }
      : outer
  ) as MlRandomForestJson;
  if (
    json === null ||
    typeof json !== 'object' ||
    !Array.isArray(json.estimators) ||
    !Array.isArray(json.indexes)
  ) {
    throw explainError(
      'EXPLAIN_INVALID_TREE',
      'not an ml-random-forest model: estimators and indexes are required',
      {
        path: '(root)',
      },
    );
  }
  if (json.isClassifier) {
    throw explainError(
      'EXPLAIN_INVALID_TREE',
      'TreeSHAP needs an additive ensemble: ml-random-forest classifiers vote (mode), so use kernelShap for them',
      { path: 'isClassifier' },
    );
  }
  if (json.selectionMethod !== undefined && json.selectionMethod !== 'mean') {
    throw explainError(
      'EXPLAIN_INVALID_TREE',
      `selectionMethod "${json.selectionMethod}" is not additive: only "mean" is`,
      {
        path: 'selectionMethod',
      },
    );
  }
  const indexes = json.indexes as unknown[];
  const trees = json.estimators.map((estimator, t) => {
    const columns = indexes[t];
    if (!Array.isArray(columns) || !columns.every((c) => Number.isInteger(c) && c >= 0 && c < featureCount)) {
      throw explainError(
        'EXPLAIN_INVALID_TREE',
        `indexes[${t}] must list feature columns below ${featureCount}`,
        {
          path: `indexes[${t}]`,
        },
      );
    }
    const convert = (
      node: MlCartNode | undefined,
      rows: readonly (readonly number[])[],
      path: string,
      depth: number,
    ): TreeNode => {
      if (!node || typeof node !== 'object' || depth > 256) {
        throw explainError('EXPLAIN_INVALID_TREE', `${path}: missing or too deep node`, { path });
      }
      if (node.left && node.right && node.splitColumn !== undefined) {
        const feature = columns[node.splitColumn] as number;
        const threshold = node.splitValue as number;
        if (feature === undefined || typeof threshold !== 'number') {
          throw explainError('EXPLAIN_INVALID_TREE', `${path}: splitColumn/splitValue invalid`, { path });
        }
        const leftRows = rows.filter((r) => r[feature]! < threshold);
        const rightRows = rows.filter((r) => !(r[feature]! < threshold));
        return {
          feature,
          threshold,
          cover: rows.length,
          left: convert(node.left, leftRows, `${path}.left`, depth + 1),
          right: convert(node.right, rightRows, `${path}.right`, depth + 1),
        };
      }
      if (typeof node.distribution !== 'number' || !Number.isFinite(node.distribution)) {
        throw explainError(
          'EXPLAIN_INVALID_TREE',
          `${path}.distribution must be a finite number (a regression leaf)`,
          {
            path,
          },
        );
      }
      return { value: node.distribution, cover: rows.length };
    };
    return convert(estimator?.root, background, `estimators[${t}].root`, 0);
  });
  const ensemble = { trees, featureCount };
  validateEnsemble(ensemble);
  return ensemble;
}
