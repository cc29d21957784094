export { type Remote, mapLimit } from './transport';
export { openRemote, remoteKind, type OpenRemoteOptions, type RemoteKind } from './open';
export { LocalRemote } from './local';
export { HttpRemote } from './http';
export {
  S3Remote,
  createS3Client,
  parseS3Url,
  isS3NotFound,
  type S3ClientOptions,
  type S3Location,
} from './s3';
export {
  pushObjects,
  pullObjects,
  withRetry,
  type TransferOptions,
  type TransferProgress,
  type TransferResult,
} from './sync';
export { RemoteError, isRetryable } from './errors';
export { OBJECT_ID, objectFile, objectRelPath } from './layout';
export {
  openWorkspaceRemote,
  pushWorkspace,
  pullWorkspace,
  checkoutRepairing,
  type WorkspaceRemote,
  type RepairedCheckout,
} from './workspace';
export { packHeader, readPack, PackFormatError, PACK_OBJECT_BYTES, type PackRecord } from './pack';
