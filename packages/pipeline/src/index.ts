export {
  CONFIG_FILES,
  describeSchemaError,
  parseConfig,
  readConfig,
  schemaDirectory,
  validateConfig,
  type ConfigKind,
  type DatasetConfig,
  type ExperimentConfig,
  type GateRule,
  type ModelConfig,
  type Task,
} from './config';
export {
  ArtifactInvalidError,
  ConfigInvalidError,
  DataUnavailableError,
  DatasetReadError,
  ProjectNotFoundError,
  TrainCommandFailedError,
} from './errors';
export { ensureDataset, ensureProjectData, type ResolvedDataset } from './data';
export { readTable, tableToCsv, type Cell, type Row, type Table } from './table';
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
export { toolkitVersion } from './version';
export {
  discoverProjects,
  outputPaths,
  projectAt,
  projectName,
  requireProject,
  toPosix,
  type CairnProjects,
  type ProjectRef,
} from './workspace';
export { evaluate, scalarMetrics, type CommittedMetrics, type EvaluateOptions } from './evaluate';
export { compare, GateFailedError, type CompareOptions } from './compare';
export { renderEvaluationMarkdown } from './report';
export { findNxWorkspaceRoot } from './root';
export { ensureArtifact } from './artifact';
export { monitor } from './monitor';
export { drift, DriftDetectedError, RETRAIN_TRIGGER, type DriftOptions } from './drift';
export { validateProject, ValidationFailedError } from './validate-data';
export { fetchFromDefaultRemote } from './fetch-remote';
