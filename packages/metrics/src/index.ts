export {
  type Label,
  type EncodedLabels,
  compareLabels,
  sortLabels,
  encodeLabels,
  defaultPosLabel,
} from './labels';
export { npSum, npMean } from './sum';
export {
  type Average,
  type ConfusionCounts,
  type ConfusionMatrixOptions,
  type PrfOptions,
  type PrfPerClass,
  type PrfAveraged,
  confusionCounts,
  countConfusion,
  confusionMatrix,
  confusionMatrixFromCounts,
  accuracyScore,
  balancedAccuracyScore,
  matthewsCorrcoef,
  cohenKappaScore,
  precisionRecallFscoreSupport,
  prfFromCounts,
  precisionScore,
  recallScore,
  fbetaScore,
  f1Score,
  type ScalarPrfOptions,
} from './classification';
export {
  type BinaryClfCurve,
  type BinaryScoreOptions,
  type RocCurve,
  type PrecisionRecallCurve,
  type ScoreMatrix,
  type MulticlassRocOptions,
  binaryClfCurve,
  rocCurve,
  precisionRecallCurve,
  auc,
  rocAucScore,
  rocAucScoreMulticlass,
  rocAucScoreMultilabel,
  averagePrecisionScore,
} from './ranking';
export { FLOAT64_EPS, type LogLossOptions, logLoss, brierScoreLoss } from './probabilistic';
export {
  meanAbsoluteError,
  meanSquaredError,
  rootMeanSquaredError,
  r2Score,
  meanAbsolutePercentageError,
} from './regression';
export {
  type Task,
  type MetricsInput,
  type MetricsReport,
  type ClassificationReport,
  type RegressionReport,
  type PerClassMetrics,
  inferTask,
  computeMetrics,
} from './report';
export { metricsInputFromCsv } from './csv';
export { NumpyRandomState } from './numpy-random';
