/** Config, discovery and output layout: also the plugin's light entry (`@cairn/pipeline/project-config`). */
export * from './project-config';
export {
  ArtifactInvalidError,
  DataModifiedError,
  DataUnavailableError,
  DatasetReadError,
  TrainCommandFailedError,
} from './errors';
export { ensureDataset, ensureProjectData, type ResolvedDataset } from './data';
export { assertDataUnmodified } from './data-state';
export {
  prepareData,
  runTraining,
  train,
  appendRunRecord,
  type PreparedData,
  type RunRecord,
  type TrainOptions,
} from './train';
export { resolveTrainable, featureColumns, type Trainable } from './trainable';
export { requireProject } from './workspace';
export { evaluate, scalarMetrics, type CommittedMetrics, type EvaluateOptions } from './evaluate';
export { compare, GateFailedError, type CompareOptions } from './compare';
export { renderEvaluationMarkdown } from './report';
export { ensureArtifact } from './artifact';
export { drift, DriftDetectedError, RETRAIN_TRIGGER, type DriftOptions } from './drift';
export { validateProject, ValidationFailedError } from './validate-data';
export { fetchFromDefaultRemote } from './fetch-remote';
