/** Config, discovery and output layout: also the plugin's light entry (`@cairn/pipeline/project-config`). */
export * from './project-config';
export {
  ArtifactInvalidError,
  DataModifiedError,
  DataUnavailableError,
  DatasetReadError,
  ModelTestsFailedError,
  TrainCommandFailedError,
  type CommandFailure,
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
export {
  captureEnvironment,
  ENVIRONMENT_FILE_VARIABLE,
  type RunEnvironment,
  type TrainerEnvironment,
} from './environment';
export { applyExperiment } from './apply-experiment';
export {
  reportData,
  renderReportHtml,
  startReportServer,
  writeExperimentReport,
  type ReportData,
} from './experiment-report';
export { tune, type StudyResult, type TrialSummary, type TuneOptions } from './tune';
export { trackRun, readStepsFile, type CodeState, type RunOutcome } from './track';
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
export { deployProject, type DeployProjectOptions, type DeployResult } from './deploy';
export {
  serveAliases,
  serveProjectAliases,
  type AliasRegistry,
  type AliasServe,
  type AliasServeOptions,
  type ServeProjectAliasesOptions,
} from './alias-serving';
export { registryDelivery, type RegistryDelivery } from './registry-delivery';
export {
  committedMetrics,
  parseTrafficFlag,
  requestMasker,
  retrainOnAccuracyDrop,
  type AccuracyWatchOptions,
} from './delivery';
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
export { explainProject, type ExplainOptions, type ImportanceFile } from './explain';
export {
  importDvc,
  type DvcOutputReport,
  type DvcStageReport,
  type ImportDvcOptions,
  type ImportDvcReport,
} from './import-dvc';
export { validateProject, ValidationFailedError } from './validate-data';
export { projectDatasetSpec, synthesizeData, syntheticDataPath, type SynthesizeDataOptions } from './synth';
export { fetchFromDefaultRemote } from './fetch-remote';
export { collectGarbage } from './gc';
export { modelSignature, registerProject, versionFromRun } from './model-registry';
export { packageDir, packageModel, type PackageOptions, type PackageResult } from './package-model';
export { testProject, type TestProjectOptions } from './model-tests';
export {
  assertReproduced,
  findRun,
  listRuns,
  reproduce,
  runIdOf,
  ReproduceDiffersError,
  ReproduceFailedError,
  type Difference,
  type RecordedRun,
  type ReproduceOptions,
  type ReproduceReport,
} from './reproduce';
