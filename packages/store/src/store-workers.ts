import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { cairnError } from '@cairn/errors';
import { hashBackend } from '@cairn/hash';

/**
 * Copies many small files into the store on worker threads with synchronous
 * I/O. Per file this costs a few system calls instead of a dozen thread-pool
 * round trips, which is what dominates `add` of many small files. Plain
 * JavaScript evaluated as a worker (tests run TypeScript sources; a worker
 * file would need a TS loader). Two kinds of job:
 *
 * - `store`: a file already hashed: read whole, hash (native BLAKE3),
 *   compare with the expected id, write a read-only temp file beside the
 *   object, rename.
 * - `hash-store`: a file not hashed yet, read once: open without following
 *   links, fstat (the stat the caller's stat cache records), and if its
 *   cached entry still matches and the object exists, answer without
 *   reading; else read whole, hash, and write the object unless it exists.
 *   Files above the whole-read limit come back unread (`large`) for the
 *   caller to stream.
 *
 * Message in:  { id, kind, jobs }
 * Message out: { id, results } (store) or { id, columns } (hash-store, see HashStoreColumns)
 */
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData, threadId } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const native = require(workerData.nativePath);
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
let counter = 0;

function digest(bytes) {
  const hasher = new native.Blake3Hasher();
  hasher.update(bytes);
  return hasher.digest('hex');
}

function writeObject(temp, target, bytes) {
  try {
    fs.writeFileSync(temp, bytes, { flag: 'wx', mode: 0o444 });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(temp), { recursive: true });
    fs.writeFileSync(temp, bytes, { flag: 'wx', mode: 0o444 });
  }
  try {
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function storeOne(job) {
  const bytes = fs.readFileSync(job.source);
  const actual = digest(bytes);
  if (actual !== job.hash) return { error: { code: 'CHANGED', message: 'changed while being added', actual } };
  writeObject(job.temp, job.target, bytes);
  return { ok: true };
}

/** Object path and a temp name beside it, shaped like objectTempPath's (pid + unique suffix). */
function objectFiles(objectsDir, hash) {
  const folder = objectsDir + '/' + hash.slice(0, 2);
  const unique = (threadId * 0x100000000 + counter++).toString(16).padStart(12, '0');
  return { target: folder + '/' + hash.slice(2), temp: folder + '/.' + hash.slice(2, 14) + '.' + process.pid + '.' + unique + '.tmp' };
}

// The first size bytes (fewer if the file shrank), in one read when it did not change. Growth
// after the fstat needs no extra read to be safe: the hash is of the bytes read, and the fstat
// recorded with it no longer matches a file that changed since.
function readWhole(fd, size) {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const got = fs.readSync(fd, buffer, filled, size - filled, null);
    if (got === 0) break;
    filled += got;
  }
  return buffer.subarray(0, filled);
}

function hashStore(jobs, objectsDir, limit) {
  const n = jobs.length;
  const columns = {
    hashes: new Array(n).fill(''), sizes: new Float64Array(n), modes: new Uint32Array(n),
    hits: new Uint8Array(n), stored: new Uint8Array(n), large: new Uint8Array(n),
    inos: new BigUint64Array(n), mtimesNs: new BigInt64Array(n), statSizes: new BigUint64Array(n),
    errors: [],
  };
  jobs.forEach((job, i) => {
    let fd;
    try {
      fd = fs.openSync(job.source, READ_FLAGS);
      const stat = fs.fstatSync(fd, { bigint: true });
      if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'SPECIAL' });
      columns.modes[i] = Number(stat.mode);
      columns.inos[i] = stat.ino;
      columns.mtimesNs[i] = stat.mtimeNs;
      columns.statSizes[i] = stat.size;
      if (stat.size > BigInt(limit)) {
        columns.large[i] = 1;
        return;
      }
      const cached = job.cached;
      if (cached && cached[0] === String(stat.ino) && cached[1] === String(stat.size) && cached[2] === String(stat.mtimeNs)) {
        const { target } = objectFiles(objectsDir, cached[3]);
        if (fs.statSync(target, { throwIfNoEntry: false })?.size === Number(stat.size)) {
          columns.hashes[i] = cached[3];
          columns.sizes[i] = Number(stat.size);
          columns.hits[i] = 1;
          return;
        }
      }
      const bytes = readWhole(fd, Number(stat.size));
      const hash = digest(bytes);
      columns.hashes[i] = hash;
      columns.sizes[i] = bytes.length;
      const { target, temp } = objectFiles(objectsDir, hash);
      if (fs.statSync(target, { throwIfNoEntry: false })?.size !== bytes.length) {
        writeObject(temp, target, bytes);
        columns.stored[i] = 1;
      }
    } catch (error) {
      columns.errors.push([i, error.code || 'EIO', error.message]);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  });
  return columns;
}

parentPort.on('message', ({ id, kind, jobs, objectsDir, limit }) => {
  if (kind === 'hash-store') {
    const columns = hashStore(jobs, objectsDir, limit);
    parentPort.postMessage({ id, columns }, [columns.sizes.buffer, columns.modes.buffer, columns.hits.buffer,
      columns.stored.buffer, columns.large.buffer, columns.inos.buffer, columns.mtimesNs.buffer, columns.statSizes.buffer]);
    return;
  }
  const results = jobs.map((job) => {
    try {
      return storeOne(job);
    } catch (error) {
      return { error: { code: error.code || 'EIO', message: error.message } };
    }
  });
  parentPort.postMessage({ id, results });
});
`;

export interface StoreJob {
  source: string;
  target: string;
  temp: string;
  hash: string;
}

export type StoreJobResult = { ok: true } | { error: { code: string; message: string; actual?: string } };

const BATCH = 128;

/** True when worker storage is available (it needs the native BLAKE3 binding). */
export function storeWorkersAvailable(): boolean {
  return hashBackend() === 'native';
}

/** Runs the jobs on a short-lived pool of workers; results in input order. */
export async function storeOnWorkers(
  jobs: StoreJob[],
  onDone?: (count: number) => void,
): Promise<StoreJobResult[]> {
  const results: StoreJobResult[] = new Array(jobs.length);
  await runOnWorkers(jobs, { kind: 'store' }, (start, reply: { results: StoreJobResult[] }) => {
    reply.results.forEach((result, offset) => (results[start + offset] = result));
    onDone?.(reply.results.length);
  });
  return results;
}

/** A file for hashAndStoreOnWorkers, with its stat-cache entry ([inode, size, mtime ns, hash]) if any. */
export interface HashStoreJob {
  source: string;
  cached?: [string, string, string, string];
}

/** One batch's answers as columns, index-aligned with the batch's jobs (no object per file). */
export interface HashStoreColumns {
  /** '' where the file failed or was large. */
  hashes: string[];
  sizes: Float64Array;
  modes: Uint32Array;
  /** 1: answered by the stat-cache entry, not read. */
  hits: Uint8Array;
  /** 1: a new object was written. */
  stored: Uint8Array;
  /** 1: above the whole-read limit, not read: the caller streams it. */
  large: Uint8Array;
  /** The fstat the hash belongs to (taken before reading), for the stat cache. */
  inos: BigUint64Array;
  mtimesNs: BigInt64Array;
  statSizes: BigUint64Array;
  /** [index, errno code, message]. */
  errors: Array<[number, string, string]>;
}

/**
 * Hashes files not hashed yet and stores each new object in the same read
 * (see the worker's `hash-store` job). `onBatch` gets each batch's first
 * index and columns as they arrive.
 */
export async function hashAndStoreOnWorkers(
  jobs: HashStoreJob[],
  objectsDir: string,
  wholeReadLimit: number,
  onBatch: (start: number, columns: HashStoreColumns) => void,
): Promise<void> {
  await runOnWorkers(
    jobs,
    { kind: 'hash-store', objectsDir, limit: wholeReadLimit },
    (start, reply: { columns: HashStoreColumns }) => onBatch(start, reply.columns),
  );
}

async function runOnWorkers<Job, Reply>(
  jobs: Job[],
  message: Record<string, unknown>,
  onReply: (start: number, reply: Reply) => void,
): Promise<void> {
  const nativePath = createRequire(__filename).resolve('@napi-rs/blake-hash');
  const size = Math.max(1, Math.min(availableParallelism(), Math.ceil(jobs.length / BATCH)));
  let next = 0;
  const workers = Array.from(
    { length: size },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { nativePath } }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              const start = next;
              next = Math.min(jobs.length, next + BATCH);
              worker.postMessage({ ...message, id: start, jobs: jobs.slice(start, next) });
            };
            worker.on('message', (reply: Reply & { id: number }) => {
              onReply(reply.id, reply);
              send();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (next < jobs.length || code !== 0)
                reject(
                  cairnError('STORE_WORKER_FAILED', `a store worker exited with code ${code}`, {
                    data: { exitCode: code },
                  }),
                );
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
