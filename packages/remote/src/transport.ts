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
  close(): Promise<void>;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

export function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
