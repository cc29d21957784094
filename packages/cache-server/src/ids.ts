/**
 * Identifiers accepted in URLs. Both patterns admit only ASCII letters and
 * digits (plus the literal `.dir` suffix), so no id can contain `/`, `..`, a
 * NUL or anything else that could walk out of the storage root.
 */
import { objectRelativePath } from '@cairn/store/layout';

export { digestOf as objectDigest, isObjectId } from '@cairn/store/layout';

/** Nx task hashes are decimal 64-bit numbers; accept short alphanumeric ids in general. */
const CACHE_HASH = /^[0-9a-zA-Z]{1,128}$/;

export function isCacheHash(value: string): boolean {
  return CACHE_HASH.test(value);
}

/** Storage key (relative, `/`-separated) of a task-output entry. */
export function cacheKey(hash: string): string {
  return `cache/${hash}`;
}

/** Storage key of a data object: the content-store layout under `objects/`, so that folder is itself a store. */
export function objectKey(id: string): string {
  return `objects/${objectRelativePath(id)}`;
}
