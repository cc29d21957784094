/**
 * Identifiers accepted in URLs. Both patterns admit only ASCII letters and
 * digits (plus the literal `.dir` suffix), so no id can contain `/`, `..`, a
 * NUL or anything else that could walk out of the storage root.
 */

/** Nx task hashes are decimal 64-bit numbers; accept short alphanumeric ids in general. */
const CACHE_HASH = /^[0-9a-zA-Z]{1,128}$/;

/** A content-store object: a 64-hex BLAKE3 digest, `.dir` for a directory manifest. */
const OBJECT_ID = /^[0-9a-f]{64}(\.dir)?$/;

export function isCacheHash(value: string): boolean {
  return CACHE_HASH.test(value);
}

export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

/** The BLAKE3 digest an object's bytes must have: the id without its `.dir` suffix. */
export function objectDigest(id: string): string {
  return id.endsWith('.dir') ? id.slice(0, -4) : id;
}

/** Storage key (relative, `/`-separated) of a task-output entry. */
export function cacheKey(hash: string): string {
  return `cache/${hash}`;
}

/** Storage key of a data object: the same `b3/<2 hex>/<62 hex>[.dir]` layout as a local content store. */
export function objectKey(id: string): string {
  return `objects/b3/${id.slice(0, 2)}/${id.slice(2)}`;
}
