export {
  DEFAULT_CANARY_WEIGHTS,
  DEFAULT_PROMETHEUS,
  kubernetesName,
  resolveDeploySettings,
  type DeploySettings,
  type DeploySpec,
} from './settings';
export {
  analysisTemplate,
  buildManifests,
  LABELS,
  type KubernetesObject,
  type ManifestInput,
} from './manifests';
export { DEPLOY_FILES, toTerraform, toYaml, writeDeployBundle } from './render';
