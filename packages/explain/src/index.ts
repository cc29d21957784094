export {
  permutationImportance,
  type Cell,
  type FeatureImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
} from './permutation-importance';
export {
  exactShapley,
  kernelShap,
  linearShap,
  shapleyFromCoalitions,
  shapleyWeights,
  MAX_EXACT_FEATURES,
  type FeatureValue,
  type KernelShapOptions,
  type NumericModel,
  type ShapleyExplanation,
} from './shapley';
export {
  treeShap,
  bruteForceTreeShapley,
  coalitionValue,
  fromMlRandomForest,
  validateEnsemble,
  type TreeEnsemble,
  type TreeLeaf,
  type TreeNode,
  type TreeSplit,
} from './tree-shap';
export { importanceChartSpec, renderVegaLiteSvg, type ImportanceRow } from './chart';
