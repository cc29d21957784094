export type { RegistryErrorCode } from './errors';
export { checkName, parseModelReference, type ModelReference } from './names';
export { REGISTRY_REF, resolveActor, type ActorOptions } from './transaction';
export { AUDIT_FILE, GENESIS, entryHash, type AuditDraft, type AuditEntry } from './audit-chain';
export {
  appendAudit,
  assertAuditIntact,
  readAudit,
  verifyAudit,
  type AuditBreak,
  type AuditVerdict,
} from './audit';
export {
  aliasHistory,
  aliasesAt,
  listModels,
  listVersions,
  registeredArtifacts,
  registerVersion,
  resolveModel,
  rollbackAlias,
  setAlias,
  type AliasEvent,
  type AliasExpectation,
  type AliasHolder,
  type ModelSignature,
  type ModelSummary,
  type ModelVersion,
  type VersionInput,
} from './registry';
export { parseGtoTag, readGtoTags, type GtoAction, type GtoEvent } from './gto';
export {
  buildOciLayout,
  readOciManifestDigest,
  type ImageRuntime,
  type LayerSource,
  type OciBuildOptions,
  type OciBuildResult,
} from './package/oci-layout';
export { checkPinnedBase, renderDockerfile, type DockerfileOptions } from './package/dockerfile';
export {
  loadKey,
  signManifestDigest,
  verifyManifestSignature,
  type PackageSignature,
} from './package/signing';
