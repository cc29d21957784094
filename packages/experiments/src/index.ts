export type { ExperimentErrorCode } from './errors';
export {
  EXPERIMENT_REF_PREFIX,
  RECORD_KINDS,
  RECORD_STATUSES,
  experimentRef,
  newExperimentId,
  parseRecord,
  type ExperimentRecord,
  type StepValue,
} from './record';
export {
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
export { fieldValue, matchesWhere, parseWhere, type WhereNode } from './where';
