import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { hashFiles } from './directory';
import { planBatches } from './pool';

let dir: string;
let paths: string[];
let expected: Map<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-hash-files-'));
  // 300 small files of varied sizes, plus two larger than one read chunk (4 MiB).
  paths = [];
  for (let i = 0; i < 300; i++) {
    const path = join(dir, `small-${i}.bin`);
    writeFileSync(path, Buffer.from(Array.from({ length: (i * 97) % 9000 }, (_, j) => (i + j * 31) % 256)));
    paths.push(path);
  }
  for (const [name, size] of [
    ['big-a', 5 * 1024 * 1024 + 3],
    ['big-b', 9 * 1024 * 1024],
  ] as const) {
    const path = join(dir, name);
    const data = Buffer.alloc(size);
    for (let j = 0; j + 4 <= size; j += 4) data.writeUInt32LE((j * 2654435761) >>> 0, j);
    writeFileSync(path, data);
    paths.splice(150, 0, path);
  }
  // The real b3sum over the same files is the oracle.
  const output = execFileSync('b3sum', paths, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expected = new Map(
    output
      .trim()
      .split('\n')
      .map((line) => [line.slice(66), line.slice(0, 64)]),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('hashFiles', () => {
  it('on worker threads equals b3sum and the sequential path, in input order', async () => {
    const progress: number[] = [];
    const parallel = await hashFiles(paths, { concurrency: 2, onProgress: (done) => progress.push(done) });
    const sequential = await hashFiles(paths, { concurrency: 1 });
    expect(parallel.map((r) => r.hash)).toEqual(paths.map((path) => expected.get(path)));
    expect(sequential).toEqual(parallel);
    expect(progress.at(-1)).toBe(paths.length);
  });

  it('md5 on workers equals md5sum', async () => {
    const subset = paths.slice(140, 170);
    const output = execFileSync('md5sum', subset, { encoding: 'utf8' });
    const md5 = output
      .trim()
      .split('\n')
      .map((line) => line.slice(0, 32));
    expect((await hashFiles(subset, { algorithm: 'md5', concurrency: 2 })).map((r) => r.hash)).toEqual(md5);
  });

  it('the wasm backend on workers agrees too', async () => {
    vi.stubEnv('CAIRN_HASH_BACKEND', 'wasm');
    vi.resetModules();
    const fresh = await import('./index.js');
    expect(fresh.hashBackend()).toBe('wasm');
    const subset = paths.slice(130, 180);
    const results = await fresh.hashFiles(subset, { concurrency: 2 });
    expect(results.map((r) => r.hash)).toEqual(subset.map((path) => expected.get(path)));
    await fresh.closeHashWorkers();
  });

  it('names the failing file', async () => {
    const withMissing = [...paths.slice(0, 30), join(dir, 'does-not-exist'), ...paths.slice(30, 40)];
    let failure: unknown;
    await hashFiles(withMissing, { concurrency: 2 }).catch((error: unknown) => (failure = error));
    expect(isCairnError(failure, 'PATH_NOT_FOUND')).toBe(true);
    expect((failure as { data: { path: string } }).data.path).toBe(join(dir, 'does-not-exist'));
  });
});

it('rejects a FIFO and a socket as special files, on workers and inline', async () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const server = createServer();
  const socket = join(dir, 'sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    for (const special of [fifo, socket]) {
      for (const concurrency of [1, 2]) {
        const failure = await hashFiles([...paths.slice(0, 20), special], { concurrency }).catch(
          (error: unknown) => error,
        );
        expect(
          isCairnError(failure, 'HASH_SPECIAL_FILE'),
          `${special} concurrency ${concurrency}: ${String(failure)}`,
        ).toBe(true);
      }
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('planBatches', () => {
  it('batches small files, sends a big one alone, covers every file once', () => {
    const files = [
      ...Array.from({ length: 600 }, (_, index) => ({ index, path: `s${index}`, sizeHint: 1000 })),
      { index: 600, path: 'big', sizeHint: 1 << 30 },
    ];
    const batches = planBatches(files, 2);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(files.map((f) => f.index));
    expect(batches.every((batch) => batch.length <= 256)).toBe(true);
    expect(batches.find((batch) => batch.includes(600))).toEqual([600]);
    expect(batches.length).toBeLessThan(10);
  });
});
