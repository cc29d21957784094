export { startCacheServer, type CacheServerOptions, type RunningCacheServer } from './server';
export {
  FileSystemStorage,
  S3Storage,
  openStorage,
  type PutOutcome,
  type SmallRead,
  type StagedPuts,
  type Storage,
  type StoredBody,
} from './storage';
export { parseTokens, readTokensFile, TokenChecker, type TokenEntry, type TokenScope } from './tokens';
export { isCacheHash, isObjectId } from './ids';
export { ServerMetrics, type Route } from './metrics';
export { readTlsFiles } from './tls';
