import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { cairnError } from '@cairn/errors';
import { hashBackend, nativeModulePath, wasmBlake3Module, type HashAlgorithm } from './backend';
import { fileError } from './errors';
import { FILE_CHUNK_BYTES } from './hash-file';
import { WORKER_SOURCE } from './worker-source';

/** A file for a worker: stat it (lstat unless `follow`), answer from `cached` if the stat still matches, else hash it. */
export interface WorkerFile {
  path: string;
  follow: boolean;
  /** [inode, size, mtime ns, hash], numbers as decimal strings. */
  cached?: [string, string, string, string];
  /** Bytes, when known, for batching. */
  sizeHint?: number;
}

/** A batch's results as columns, index-aligned with `indexes` (positions in the caller's file list). */
export interface WorkerBatch {
  indexes: number[];
  /** '' where the file failed (see errors). */
  hashes: string[];
  /** Bytes read. */
  sizes: Float64Array;
  modes: Uint32Array;
  /** 1 where the hash came from the cached entry and the file was not read. */
  hits: Uint8Array;
  /** The stat the hash belongs to (fstat before reading), for the caller's stat cache. */
  inos: BigUint64Array;
  mtimesNs: BigInt64Array;
  statSizes: BigUint64Array;
}

type WireReply = Omit<WorkerBatch, 'indexes'> & { id: number; errors: Array<[number, string, string]> };

interface Job {
  id: number;
  algorithm: HashAlgorithm;
  files: WorkerFile[];
  resolve(reply: WireReply): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

/** Small files go to workers in batches so per-message overhead stays small next to the hashing. */
const BATCH_MAX_FILES = 256;
const BATCH_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A fixed set of hashing workers fed from one queue of batches. Idle workers
 * are unref'd, so an idle pool never keeps the process alive.
 */
class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  /** Workers are spawned lazily up to this many; it only grows. */
  size = 0;

  run(algorithm: HashAlgorithm, files: WorkerFile[]): Promise<WireReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, algorithm, files, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((candidate) => !candidate.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      const anyCached = job.files.some((file) => file.cached);
      slot.worker.postMessage({
        id: job.id,
        algorithm: job.algorithm,
        paths: job.files.map((file) => file.path),
        follow: Uint8Array.from(job.files, (file) => (file.follow ? 1 : 0)),
        cached: anyCached ? job.files.map((file) => file.cached ?? null) : null,
      });
    }
  }

  private spawn(): Slot {
    const backend = hashBackend();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        backend,
        nativePath: backend === 'native' ? nativeModulePath() : undefined,
        wasmModule: backend === 'wasm' ? wasmBlake3Module() : undefined,
        chunkBytes: FILE_CHUNK_BYTES,
      },
    });
    const slot: Slot = { worker };
    worker.on('message', (message: WireReply) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      slot.job = undefined;
      worker.unref();
      job.resolve(message);
      this.pump();
    });
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      job?.reject(
        cairnError('HASH_WORKER_FAILED', `a hashing worker failed: ${error.message}`, {
          data: { paths: job.files.slice(0, 5).map((file) => file.path) },
          cause: error,
        }),
      );
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (slot.job) fail(new Error(`worker exited with code ${code}`));
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

let shared: HashPool | undefined;

/** One pool per process; a caller's `concurrency` caps its own batches in flight, not the pool. */
function pool(size: number): HashPool {
  shared ??= new HashPool();
  shared.size = Math.max(shared.size, size);
  return shared;
}

/** Terminates the shared hashing workers (they are unref'd when idle, so this is only needed for a clean shutdown). */
export async function closeHashWorkers(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.close();
}

export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/** Splits files into batches of at most BATCH_MAX_FILES files or BATCH_MAX_BYTES bytes (a big file goes alone). */
export function planBatches(files: Array<{ index: number; sizeHint?: number }>, workers: number): number[][] {
  const known = files.every((file) => file.sizeHint !== undefined);
  // Without sizes, aim for several batches per worker so a slow batch does not idle the others.
  const maxFiles = known
    ? BATCH_MAX_FILES
    : Math.max(1, Math.min(BATCH_MAX_FILES, Math.ceil(files.length / (workers * 8))));
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = file.sizeHint ?? 0;
    if (batch.length > 0 && (batch.length >= maxFiles || bytes + size > BATCH_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file.index);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Stats and hashes files on the worker pool; `onBatch` receives each batch's
 * results as it finishes. Errors name the first failing path.
 */
export async function hashOnWorkers(
  files: WorkerFile[],
  algorithm: HashAlgorithm,
  concurrency: number,
  onBatch: (batch: WorkerBatch) => void,
): Promise<void> {
  const workers = Math.max(1, Math.min(concurrency, files.length));
  const hashPool = pool(workers);
  const batches = planBatches(
    files.map((file, index) => ({ index, sizeHint: file.sizeHint })),
    workers,
  );
  let firstError: Error | undefined;
  let next = 0;
  const runBatches = async () => {
    while (next < batches.length && !firstError) {
      const indexes = batches[next++]!;
      const {
        id: _id,
        errors,
        ...columns
      } = await hashPool.run(
        algorithm,
        indexes.map((index) => files[index]!),
      );
      const failed = errors[0];
      if (failed) firstError ??= workerError(failed[1], failed[2], files[indexes[failed[0]]!]!.path);
      else onBatch({ indexes, ...columns });
    }
  };
  // `workers` batches in flight: each worker gets the next batch as soon as it is free.
  await Promise.all(Array.from({ length: Math.min(workers, batches.length) }, runBatches));
  if (firstError) throw firstError;
}

function workerError(code: string, message: string, path: string): Error {
  if (code === 'ESPECIAL') {
    return cairnError(
      'HASH_SPECIAL_FILE',
      `${path}: is a socket, FIFO or device; only regular files can be hashed`,
      {
        data: { path },
        hint: 'move it out of the way or skip it with ignore',
      },
    );
  }
  return fileError(Object.assign(new Error(message), { code }), path);
}
