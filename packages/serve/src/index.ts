export {
  MANIFEST_FILE,
  MANIFEST_SCHEMA_PATH,
  parseModelManifest,
  readModelManifest,
  type FeatureSpec,
  type FeatureType,
  type ModelManifest,
  type ModelTask,
  type Prediction,
  type Row,
} from './manifest';
export { validateRequestRows } from './validate-rows';
export { loadModel, type LoadedModel, type LoadModelOptions } from './load-model';
export { verifiedArtifactCopy, type VerifiedArtifact } from './verified-artifact';
export {
  createModelServer,
  type LaneInput,
  type ModelServer,
  type ModelServerOptions,
  type TrafficControl,
} from './server';
export {
  parseTrafficPolicy,
  stickyBucket,
  TrafficRouter,
  type LaneName,
  type TrafficPolicy,
} from './traffic';
export {
  CURRENT_LOG,
  LOG_COLUMNS,
  PredictionLog,
  readLoggedWindow,
  sampled,
  type LoggedRequest,
  type PredictionLogOptions,
} from './prediction-log';
export {
  FeedbackStore,
  parseFeedback,
  type FeedbackItem,
  type FeedbackResult,
  type FeedbackTarget,
} from './feedback';
export { LATENCY_BUCKETS, LaneMetrics, type LaneMetricsOptions, type LaneSnapshot } from './model-metrics';
export { DEFAULT_FEATURE_BUCKETS, decileBounds, populationStabilityIndex } from './feature-histograms';
export { artifactVersion, readReferenceCsv } from './reference';
export { MAX_ECHO_CHARS, MAX_JSON_DEPTH } from './errors';
export {
  analyzeCanary,
  CanaryController,
  histogramQuantile,
  runPrometheusChecks,
  windowOf,
  type CanaryAuditEntry,
  type CanaryCheckResult,
  type CanaryRules,
  type CanaryThresholds,
  type CanaryVerdict,
  type DeliveryRegistry,
  type PrometheusCheck,
} from './canary';
