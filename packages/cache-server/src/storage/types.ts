import type { Readable } from 'node:stream';

export interface StoredBody {
  stream: Readable;
  size: number;
}

/** What `put` did: wrote the entry, or found it already there (entries are never overwritten). */
export type PutOutcome = 'stored' | 'exists';

/** A whole small body, or why there is none: no such entry, or one larger than asked for. */
export type SmallRead = Buffer | 'absent' | 'too-large';

/**
 * A place entries live, addressed by `/`-separated keys made by `cacheKey`
 * and `objectKey` (validated ids only). Implementations stream bodies (no
 * whole-body buffering) and make an entry visible only once it is complete,
 * durable and has passed `check`.
 */
export interface Storage {
  /** A short human description for logs (`fs:/srv/cache`, `s3://bucket/prefix`). */
  readonly description: string;
  /** Prepares the backend (creates folders, removes leftovers of interrupted uploads, checks the bucket). */
  init(): Promise<void>;
  has(key: string): Promise<boolean>;
  get(key: string): Promise<StoredBody | undefined>;
  /**
   * Streams `body` (exactly `size` bytes are expected) to `key`. `check`
   * runs after the whole body is stored out of sight and before it becomes
   * visible; when it throws, nothing is published and the error propagates.
   */
  put(key: string, body: Readable, size: number, check: () => void): Promise<PutOutcome>;
  /**
   * Optional: a set of small, already checked entries published together
   * with one durability barrier instead of one per entry (packs of objects).
   * Without it the server calls `put` per entry.
   */
  stage?(): StagedPuts;
  /**
   * Optional: the whole body of a small entry in one call (packs of objects
   * are served from these). Without it the server collects `get`'s stream.
   */
  readSmall?(key: string, maxBytes: number): Promise<SmallRead>;
  close(): Promise<void>;
}

/** Entries written out of sight, then made durable and visible together. */
export interface StagedPuts {
  add(key: string, body: Buffer): Promise<void>;
  /** Makes every staged entry durable, then visible (in `add` order); entries already present stay as they are. */
  publish(): Promise<PutOutcome[]>;
  /** Removes whatever is still staged; safe to call after `publish`. */
  discard(): Promise<void>;
}
