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
export { createModelServer, type ModelServerOptions } from './server';
export { LATENCY_BUCKETS } from './model-metrics';
export { DEFAULT_FEATURE_BUCKETS, decileBounds, populationStabilityIndex } from './feature-histograms';
export { artifactVersion, readReferenceCsv } from './reference';
export { MAX_ECHO_CHARS, MAX_JSON_DEPTH } from './errors';
