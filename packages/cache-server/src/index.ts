export { startCacheServer, type CacheServerOptions, type RunningCacheServer } from './server';
export {
  FileSystemStorage,
  S3Storage,
  createS3Client,
  isS3NotFound,
  openStorage,
  parseS3Url,
  type PutOutcome,
  type S3ClientOptions,
  type S3Location,
  type Storage,
  type StoredBody,
} from './storage';
export { parseTokens, readTokensFile, TokenChecker, type TokenEntry, type TokenScope } from './tokens';
export { isCacheHash, isObjectId } from './ids';
export { ServerMetrics } from './metrics';
