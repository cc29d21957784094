/**
 * The use cases on plain files (compare two metrics files, drift between two
 * samples, validate one data file): the CLI's light entry
 * (`@cairn/pipeline/files`), which loads neither the store nor remotes.
 */
export {
  compareFiles,
  parseMetricsFile,
  parseRulesFile,
  type CompareFilesOptions,
  type MetricsFile,
} from './compare';
export { driftFiles, type DriftFilesOptions } from './drift-files';
export { validateFile, type ValidateFileOptions } from './validate-file';
