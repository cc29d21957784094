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
  type StepWatch,
  type TrainingResult,
  type TrainOptions,
} from './train';
export { applyExperiment } from './apply-experiment';
export {
  reportData,
  renderReportHtml,
  startReportServer,
  writeExperimentReport,
  type ReportData,
} from './experiment-report';
export { tune, type StudyResult, type TrialSummary, type TuneOptions } from './tune';
export { trackRun, readStepsFile, type RunOutcome } from './track';
export { resolveTrainable, featureColumns, type Trainable } from './trainable';
export { projectNameAt, requireProject } from './workspace';
export {
  evaluate,
  holdoutMetrics,
  scalarMetrics,
  type CommittedMetrics,
  type EvaluateOptions,
} from './evaluate';
export { compare, GateFailedError, type CompareOptions } from './compare';
/** Compare, drift and validate on plain files: also the light entry `@cairn/pipeline/files`. */
export * from './files';
export {
  monitorProject,
  writeMonitoring,
  type MonitoringOptions,
  type MonitorProjectOptions,
  type MonitorResult,
} from './monitor';
export {
  closeRunningServers,
  serveProject,
  startServe,
  stopServersOnSignals,
  type RunningServe,
  type ServeOptions,
  type ServeProjectOptions,
} from './serve';
export { renderEvaluationMarkdown } from './report';
export { ensureArtifact } from './artifact';
export { drift, DriftDetectedError, RETRAIN_TRIGGER, type DriftOptions } from './drift';
export { validateProject, ValidationFailedError } from './validate-data';
export { fetchFromDefaultRemote } from './fetch-remote';
