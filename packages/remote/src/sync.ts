import { randomBytes } from 'node:crypto';
import { mkdirSync, promises as fs, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hashBuffer, hashFile } from '@cairn/hash';
import { OBJECTS_FOLDER } from '@cairn/store/layout';
import { isRetryable, RemoteError } from './errors';
import { assertObjectId, digestOf, objectFile } from './layout';
import { PACK_OBJECT_BYTES } from './pack';
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

/** A pack closes at this many bytes or objects (the server accepts 256 MiB and 20,000). */
const PACK_BYTES = 8 * 1024 * 1024;
const PACK_OBJECTS = 2000;

/** Size of a regular file, or undefined when it is absent or not a file. */
async function fileSize(path: string): Promise<number | undefined> {
  return fs.stat(path).then(
    (stat) => (stat.isFile() ? stat.size : undefined),
    () => undefined,
  );
}

async function isFile(path: string): Promise<boolean> {
  return (await fileSize(path)) !== undefined;
}

/**
 * Which of `ids` the store holds. One listing of the fan-out folders first: an id whose folder does
 * not exist is not there without a stat of its own (a fresh clone stats nothing).
 */
async function presentLocally(storeDir: string, ids: string[]): Promise<boolean[]> {
  const objectsDir = join(storeDir, OBJECTS_FOLDER);
  const folders = new Set(
    (await fs.readdir(objectsDir).catch(() => [] as string[])).map((name) => join(objectsDir, name)),
  );
  return mapLimit(ids, 32, async (id) => {
    const file = objectFile(storeDir, id);
    return folders.has(dirname(file)) && isFile(file);
  });
}

/** Groups ids (in order) into packs bounded by PACK_BYTES and PACK_OBJECTS. */
function packsOf(ids: string[], sizeOf: (id: string) => number): string[][] {
  const packs: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    const size = sizeOf(id);
    if (current.length > 0 && (bytes + size > PACK_BYTES || current.length >= PACK_OBJECTS)) {
      packs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(id);
    bytes += size;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}

/** Transfers every id, collecting failures, and throws one REMOTE_TRANSFER_FAILED naming them all. */
async function transferAll(
  verb: 'push' | 'pull',
  ids: string[],
  options: TransferOptions,
  one: (id: string) => Promise<void>,
): Promise<void> {
  await transferUnits(
    verb,
    ids.map((id) => [id]),
    options.concurrency ?? 8,
    options,
    ([id]) => one(id!),
  );
}

/** Transfers groups of ids (each group one retried unit of work); failures are reported per id. */
async function transferUnits(
  verb: 'push' | 'pull',
  units: string[][],
  concurrency: number,
  options: TransferOptions,
  run: (ids: string[]) => Promise<void>,
): Promise<void> {
  const retries = options.retries ?? 4;
  const delay = options.retryDelayMs ?? 200;
  const total = units.reduce((sum, unit) => sum + unit.length, 0);
  const failed: { id: string; code?: string; message: string }[] = [];
  let done = 0;
  await mapLimit(units, concurrency, async (ids) => {
    try {
      await withRetry(() => run(ids), retries, delay);
    } catch (error) {
      for (const id of ids)
        failed.push({ id, code: (error as { code?: string }).code, message: (error as Error).message });
    }
    done += ids.length;
    options.onProgress?.({ done, total, id: ids[ids.length - 1]! });
  });
  if (failed.length > 0) {
    throw new RemoteError(
      'REMOTE_TRANSFER_FAILED',
      `${verb}: ${failed.length} of ${total} objects failed (first: ${failed[0]!.message})`,
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
  const sizes = await mapLimit(list, 32, (id) => fileSize(objectFile(storeDir, id)));
  const sizeOf = new Map(list.map((id, index) => [id, sizes[index]]));
  // Asking about every id, local or not, tells apart an object this machine never had but the remote
  // already holds (a task restored from the Nx remote cache: fine) from one nobody has (unavailable).
  const remoteLacks = await withRetry(
    () => remote.missing(list),
    options.retries ?? 4,
    options.retryDelayMs ?? 200,
  );
  const toSend = remoteLacks.filter((id) => sizeOf.get(id) !== undefined);
  const unavailable = remoteLacks.filter((id) => sizeOf.get(id) === undefined);
  const putPack = remote.putPack?.bind(remote);
  const packed = putPack ? toSend.filter((id) => sizeOf.get(id)! <= PACK_OBJECT_BYTES) : [];
  const packedSet = new Set(packed);
  const single = toSend.filter((id) => !packedSet.has(id));
  // Many small objects: a few pack requests instead of one request (and server-side fsyncs) each.
  await transferUnits(
    'push',
    [...packsOf(packed, (id) => sizeOf.get(id)!), ...single.map((id) => [id])],
    options.concurrency ?? 8,
    options,
    (ids) =>
      ids.length === 1 && !packedSet.has(ids[0]!)
        ? remote.put(ids[0]!, objectFile(storeDir, ids[0]!))
        : putPack!(ids.map((id) => ({ id, srcFile: objectFile(storeDir, id) }))),
  );
  return { transferred: toSend, skipped: list.length - remoteLacks.length, unavailable };
}

/** Temp names are unique per process (pid + a random tag) and per call (a counter): no random bytes per object. */
const TEMP_TAG = `${process.pid}.${randomBytes(6).toString('hex')}`;
let tempCounter = 0;

function tempBeside(target: string): string {
  tempCounter += 1;
  return join(dirname(target), `.${basename(target)}.${TEMP_TAG}.${tempCounter}.tmp`);
}

function isRefusal(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'REMOTE_UNAUTHORIZED' || code === 'REMOTE_FORBIDDEN';
}

function corruptObject(id: string, actual: string, url: string): RemoteError {
  return new RemoteError('REMOTE_OBJECT_CORRUPT', `object ${id} from ${url} hashes to ${actual}`, {
    data: { id, actual, remote: url },
    retryable: true,
  });
}

/**
 * Verifies a downloaded body against its id and publishes it (read-only temp
 * file, then rename). Synchronous: bodies are small, and a thread-pool round
 * trip per file costs more than the write.
 */
async function placeObject(storeDir: string, id: string, body: Buffer, url: string): Promise<void> {
  const actual = hashBuffer(body);
  if (actual !== digestOf(id)) throw corruptObject(id, actual, url);
  const target = objectFile(storeDir, id);
  const temp = tempBeside(target);
  try {
    try {
      writeFileSync(temp, body, { flag: 'wx', mode: 0o444 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(temp, body, { flag: 'wx', mode: 0o444 });
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
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
  const local = await presentLocally(storeDir, list);
  const wanted = list.filter((_, index) => !local[index]);
  // Small objects first, a pack per PACK_OBJECTS ids; a pack leaves out what the remote lacks and what is
  // too large, so only those few are asked about (one `missing` query) and fetched one by one.
  const received = new Set<string>();
  const getPack = remote.getPack?.bind(remote);
  if (getPack && wanted.length > 1) {
    const packs: string[][] = [];
    for (let start = 0; start < wanted.length; start += PACK_OBJECTS)
      packs.push(wanted.slice(start, start + PACK_OBJECTS));
    // The packs are the first requests: a refused token stands as the error itself, as it would from `missing`.
    let refused: unknown;
    await transferUnits('pull', packs, options.concurrency ?? 8, options, async (ids) => {
      try {
        for (const id of await getPack(ids, (id, body) => placeObject(storeDir, id, body, remote.url)))
          received.add(id);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refused ??= error;
      }
    });
    if (refused) throw refused;
  }
  const rest = wanted.filter((id) => !received.has(id));
  const absent = new Set(
    await withRetry(() => remote.missing(rest), options.retries ?? 4, options.retryDelayMs ?? 200),
  );
  await transferAll(
    'pull',
    rest.filter((id) => !absent.has(id)),
    options,
    async (id) => {
      const target = objectFile(storeDir, id);
      await fs.mkdir(dirname(target), { recursive: true });
      const temp = tempBeside(target);
      try {
        await remote.get(id, temp);
        const { hash } = await hashFile(temp);
        if (hash !== digestOf(id)) throw corruptObject(id, hash, remote.url);
        await fs.chmod(temp, 0o444);
        await fs.rename(temp, target);
      } finally {
        await fs.rm(temp, { force: true });
      }
    },
  );
  return {
    transferred: wanted.filter((id) => !absent.has(id)),
    skipped: list.length - wanted.length,
    unavailable: [...absent],
  };
}
