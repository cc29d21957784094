export type { ExperimentErrorCode } from './errors';
export {
  EXPERIMENT_REF_PREFIX,
  RECORD_KINDS,
  RECORD_STATUSES,
  experimentRef,
  isRecordableProject,
  newExperimentId,
  parseRecord,
  type ExperimentRecord,
  type StepValue,
} from './record';
export {
  experimentArtifacts,
  gcExperiments,
  listExperiments,
  pullExperiments,
  pushExperiments,
  readExperiment,
  recordExperiment,
  removeExperiments,
  type GcOptions,
  type IndexedRecord,
  type ListResult,
} from './store';
export {
  diffExperiments,
  diffMarkdown,
  flatTable,
  listCsv,
  listMarkdown,
  markdownTable,
  selectExperiments,
  type DiffRow,
  type Selection,
} from './query';
export { fieldValue, matchesWhere, parseWhere, type Operator, type WhereNode } from './where';
export {
  checkSpace,
  gridPoints,
  type ParamSpec,
  type ParamValue,
  type Params,
  type SearchSpace,
} from './tune/space';
export {
  createSampler,
  gridSampler,
  randomSampler,
  tpeGamma,
  tpeSampler,
  tpeWeights,
  type Direction,
  type Method,
  type Sampler,
  type TpeOptions,
  type TrialState,
} from './tune/samplers';
export {
  createPruner,
  medianPruner,
  successiveHalvingPruner,
  type Curve,
  type Pruner,
  type PrunerSpec,
} from './tune/pruners';
