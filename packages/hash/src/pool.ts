import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CairnError } from '@cairn/errors';
import { hashBackend, modulePaths, wasmBlake3Module, type HashAlgorithm } from './backend';
import { fileError, HashErrorCode } from './errors';
import { FILE_CHUNK_BYTES } from './hash-file';
import { WORKER_SOURCE } from './worker-source';

/** What a worker reports for one file: the hash, the bytes it read and fstat of the open file before reading. */
export interface WorkerFileResult {
  hash: string;
  size: number;
  ino: bigint;
  mtimeNs: bigint;
  statSize: bigint;
}

type RawResult = WorkerFileResult | { error: { code: string; message: string } };

interface Job {
  id: number;
  algorithm: HashAlgorithm;
  paths: string[];
  resolve(results: RawResult[]): void;
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

  constructor(readonly size: number) {}

  run(algorithm: HashAlgorithm, paths: string[]): Promise<RawResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, algorithm, paths, resolve, reject });
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
      slot.worker.postMessage({ id: job.id, algorithm: job.algorithm, paths: job.paths });
    }
  }

  private spawn(): Slot {
    const backend = hashBackend();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        backend,
        nativePath: modulePaths.native,
        wasmModule: backend === 'wasm' ? wasmBlake3Module() : undefined,
        chunkBytes: FILE_CHUNK_BYTES,
      },
    });
    const slot: Slot = { worker };
    worker.on('message', (message: { id: number; results: RawResult[] }) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      slot.job = undefined;
      worker.unref();
      job.resolve(message.results);
      this.pump();
    });
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      job?.reject(
        new CairnError(HashErrorCode.workerFailed, `a hashing worker failed: ${error.message}`, {
          data: { paths: job.paths.slice(0, 5) },
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

function pool(size: number): HashPool {
  if (!shared || shared.size !== size) {
    void shared?.close();
    shared = new HashPool(size);
  }
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
export function planBatches(
  files: Array<{ index: number; path: string; sizeHint?: number }>,
  workers: number,
): number[][] {
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
 * Hashes files on the worker pool; results in input order. `onFile` fires as
 * batches finish. Errors name the first failing path.
 */
export async function hashOnWorkers(
  files: Array<{ path: string; sizeHint?: number }>,
  algorithm: HashAlgorithm,
  concurrency: number,
  onBatch?: (results: Array<{ index: number; result: WorkerFileResult }>) => void,
): Promise<WorkerFileResult[]> {
  const workers = Math.max(1, Math.min(concurrency, files.length));
  const hashPool = pool(Math.max(1, concurrency));
  const batches = planBatches(
    files.map((file, index) => ({ index, path: file.path, sizeHint: file.sizeHint })),
    workers,
  );
  const results: WorkerFileResult[] = new Array(files.length);
  let firstError: Error | undefined;
  await Promise.all(
    batches.map(async (batch) => {
      const raw = await hashPool.run(
        algorithm,
        batch.map((index) => files[index]!.path),
      );
      const done: Array<{ index: number; result: WorkerFileResult }> = [];
      raw.forEach((item, position) => {
        const index = batch[position]!;
        if ('error' in item) {
          const path = files[index]!.path;
          firstError ??=
            item.error.code === 'ESPECIAL'
              ? new CairnError(
                  HashErrorCode.specialFile,
                  `${path}: not a regular file (socket, FIFO or device)`,
                  { data: { path } },
                )
              : fileError(Object.assign(new Error(item.error.message), { code: item.error.code }), path);
          return;
        }
        results[index] = item;
        done.push({ index, result: item });
      });
      onBatch?.(done);
    }),
  );
  if (firstError) throw firstError;
  return results;
}
