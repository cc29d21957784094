/**
 * One data remote. Every transport stores objects under the same layout and
 * never exposes a partial object: `put` and the server side publish
 * atomically, and `get` writes only to the temp file its caller names.
 */
export interface Remote {
  /** The URL it was opened with (token never included). */
  readonly url: string;
  /** The subset of `ids` the remote does not have, in input order, without duplicates. */
  missing(ids: string[]): Promise<string[]>;
  /** Downloads object `id` into `destFile` (created or truncated). Throws REMOTE_OBJECT_MISSING when absent. */
  get(id: string, destFile: string): Promise<void>;
  /** Uploads `srcFile` as object `id`; an object already there counts as success. */
  put(id: string, srcFile: string): Promise<void>;
  /**
   * Optional: uploads many small objects in one request (a pack). Either
   * every object is on the remote afterwards or it throws; objects already
   * there count as success. Without it, `put` is called per object.
   */
  putPack?(objects: Array<{ id: string; srcFile: string }>): Promise<void>;
  /**
   * Optional: downloads the small objects among `ids` in one request, handing
   * each (unverified) body to `receive`; resolves to the ids received. Ids
   * not received (absent, large, or a remote without packs) are fetched with `get`.
   */
  getPack?(ids: string[], receive: (id: string, body: Buffer) => Promise<void>): Promise<string[]>;
  close(): Promise<void>;
}

/** One bounded-concurrency map for the store and its remotes. */
export { mapLimit } from '@cairn/store';

export function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
