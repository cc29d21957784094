import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { cairnError } from '@cairn/errors';
import { hashBackend } from '@cairn/hash';

/**
 * Copies many small files into the store on worker threads with synchronous
 * I/O: read whole, hash (native BLAKE3), compare with the expected id, write
 * a read-only temp file beside the object, rename. Per file this costs a few
 * system calls instead of a dozen thread-pool round trips, which is what
 * dominates `add` of many small files. Plain JavaScript evaluated as a worker
 * (tests run TypeScript sources; a worker file would need a TS loader).
 *
 * Message in:  { id, jobs: [{ source, target, temp, hash }] }
 * Message out: { id, results: [{ ok: true } | { error: { code, message, actual? } }] }
 */
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const native = require(workerData.nativePath);

function storeOne(job) {
  const bytes = fs.readFileSync(job.source);
  const hasher = new native.Blake3Hasher();
  hasher.update(bytes);
  const actual = hasher.digest('hex');
  if (actual !== job.hash) return { error: { code: 'CHANGED', message: 'changed while being added', actual } };
  try {
    fs.writeFileSync(job.temp, bytes, { flag: 'wx', mode: 0o444 });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(job.temp), { recursive: true });
    fs.writeFileSync(job.temp, bytes, { flag: 'wx', mode: 0o444 });
  }
  try {
    fs.renameSync(job.temp, job.target);
  } catch (error) {
    fs.rmSync(job.temp, { force: true });
    throw error;
  }
  return { ok: true };
}

parentPort.on('message', ({ id, jobs }) => {
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
  const nativePath = createRequire(__filename).resolve('@napi-rs/blake-hash');
  const size = Math.max(1, Math.min(availableParallelism(), Math.ceil(jobs.length / BATCH)));
  const results: StoreJobResult[] = new Array(jobs.length);
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
              worker.postMessage({ id: start, jobs: jobs.slice(start, next) });
            };
            worker.on('message', (message: { id: number; results: StoreJobResult[] }) => {
              message.results.forEach((result, offset) => (results[message.id + offset] = result));
              onDone?.(message.results.length);
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
  return results;
}
