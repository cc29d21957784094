import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hashFile } from '@cairn/hash';
import { isRetryable, RemoteError, RemoteErrorCode } from './errors';
import { assertObjectId, digestOf, objectFile } from './layout';
import { mapLimit, unique, type Remote } from './transport';

export interface TransferProgress {
  /** Objects finished (transferred or failed) so far. */
  done: number;
  /** Objects this run has to transfer (after skipping what the other side has). */
  total: number;
  id: string;
}

export interface TransferOptions {
  /** Transfers in flight (default 8). */
  concurrency?: number;
  /** Extra attempts per object after a retryable failure (default 4). */
  retries?: number;
  /** First backoff delay in ms; doubles each attempt, with jitter (default 200). */
  retryDelayMs?: number;
  onProgress?: (progress: TransferProgress) => void;
}

export interface TransferResult {
  /** Objects copied by this run. */
  transferred: string[];
  /** Objects the destination already had. */
  skipped: number;
  /** Objects the source side lacks (absent from the local store on push, from the remote on pull). */
  unavailable: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn`, retrying retryable failures with exponential backoff and jitter. */
export async function withRetry<T>(fn: () => Promise<T>, retries: number, baseDelayMs: number): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw error;
      await sleep(baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2));
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  return fs.stat(path).then(
    (stat) => stat.isFile(),
    () => false,
  );
}

/** Transfers every id, collecting failures, and throws one REMOTE_TRANSFER_FAILED naming them all. */
async function transferAll(
  verb: 'push' | 'pull',
  ids: string[],
  options: TransferOptions,
  one: (id: string) => Promise<void>,
): Promise<void> {
  const retries = options.retries ?? 4;
  const delay = options.retryDelayMs ?? 200;
  const failed: { id: string; code?: string; message: string }[] = [];
  let done = 0;
  await mapLimit(ids, options.concurrency ?? 8, async (id) => {
    try {
      await withRetry(() => one(id), retries, delay);
    } catch (error) {
      failed.push({ id, code: (error as { code?: string }).code, message: (error as Error).message });
    }
    done += 1;
    options.onProgress?.({ done, total: ids.length, id });
  });
  if (failed.length > 0) {
    throw new RemoteError(
      RemoteErrorCode.transferFailed,
      `${verb}: ${failed.length} of ${ids.length} objects failed (first: ${failed[0]!.message})`,
      {
        data: { failed },
        hint: `objects that arrived are kept; run \`cairn ${verb}\` again to resume`,
      },
    );
  }
}

/**
 * Uploads the objects of `ids` that the remote lacks, from the content store
 * at `storeDir` (`<storeDir>/b3/…`). One `missing` query decides what to
 * send; objects are content-addressed and published atomically, so an
 * interrupted push is resumed by running it again.
 */
export async function pushObjects(
  storeDir: string,
  ids: string[],
  remote: Remote,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const list = unique(ids);
  list.forEach(assertObjectId);
  const local = await mapLimit(list, 32, (id) => isFile(objectFile(storeDir, id)));
  const isLocal = new Map(list.map((id, index) => [id, local[index]!]));
  // Asking about every id, local or not, tells apart an object this machine never had but the remote
  // already holds (a task restored from the Nx remote cache: fine) from one nobody has (unavailable).
  const remoteLacks = await withRetry(
    () => remote.missing(list),
    options.retries ?? 4,
    options.retryDelayMs ?? 200,
  );
  const toSend = remoteLacks.filter((id) => isLocal.get(id));
  const unavailable = remoteLacks.filter((id) => !isLocal.get(id));
  await transferAll('push', toSend, options, (id) => remote.put(id, objectFile(storeDir, id)));
  return { transferred: toSend, skipped: list.length - remoteLacks.length, unavailable };
}

/**
 * Downloads the objects of `ids` the local store lacks. Each one lands in a
 * hidden temp file next to its final place, is BLAKE3-verified against its id,
 * made read-only and renamed into place, so the store never holds a partial
 * or corrupt object; a corrupt download is retried.
 */
export async function pullObjects(
  storeDir: string,
  ids: string[],
  remote: Remote,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const list = unique(ids);
  list.forEach(assertObjectId);
  const local = await mapLimit(list, 32, (id) => isFile(objectFile(storeDir, id)));
  const wanted = list.filter((_, index) => !local[index]);
  const absent = new Set(
    await withRetry(() => remote.missing(wanted), options.retries ?? 4, options.retryDelayMs ?? 200),
  );
  const toFetch = wanted.filter((id) => !absent.has(id));
  await transferAll('pull', toFetch, options, async (id) => {
    const target = objectFile(storeDir, id);
    await fs.mkdir(dirname(target), { recursive: true });
    const temp = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    try {
      await remote.get(id, temp);
      const { hash } = await hashFile(temp);
      if (hash !== digestOf(id)) {
        throw new RemoteError(
          RemoteErrorCode.objectCorrupt,
          `object ${id} from ${remote.url} hashes to ${hash}`,
          {
            data: { id, actual: hash, remote: remote.url },
            retryable: true,
          },
        );
      }
      await fs.chmod(temp, 0o444);
      await fs.rename(temp, target);
    } finally {
      await fs.rm(temp, { force: true });
    }
  });
  return { transferred: toFetch, skipped: list.length - wanted.length, unavailable: [...absent] };
}
