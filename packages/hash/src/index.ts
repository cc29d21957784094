export {
  hashBackend,
  createHasher,
  ALGORITHMS,
  type HashAlgorithm,
  type Hasher,
  type Blake3Backend,
} from './backend';
export { hashBuffer, hashStream, hashFile, FILE_CHUNK_BYTES, type HashResult } from './hash-file';
export {
  manifestBytes,
  parseManifest,
  isSafeRelativePath,
  compareUtf8,
  type ManifestEntry,
} from './manifest';
export {
  hashDirectory,
  hashFiles,
  listDirectoryFiles,
  directoryHashOf,
  type DirectoryFile,
  type DirectoryHash,
  type HashFilesOptions,
  type HashDirectoryOptions,
} from './directory';
export { StatCache, DEFAULT_RACY_WINDOW_MS, type StatKey } from './stat-cache';
export { closeHashWorkers } from './pool';
