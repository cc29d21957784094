/**
 * The light entry point: config schemas, project discovery and output layout,
 * without the training, evaluation and monitoring machinery. The Nx plugin
 * loads only this, so project graph creation stays fast.
 */
export {
  CONFIG_FILES,
  describeSchemaError,
  parseConfig,
  readConfig,
  schemaDirectory,
  validateConfig,
  type ConfigKind,
  type DatasetConfig,
  type DeploySpec,
  type ExperimentConfig,
  type GateRule,
  type ModelConfig,
  type MonitoringConfig,
  type Task,
} from './config';
export { ConfigInvalidError, ProjectNotFoundError } from './errors';
export { toolkitVersion } from './version';
export {
  configKindOf,
  discoverProjects,
  findProjectConfig,
  isSearchedDirectory,
  outputPaths,
  projectName,
  toPosix,
  type CairnProjects,
  type ProjectRef,
} from './workspace';
