/**
 * The hashing worker, as plain JavaScript evaluated with `new Worker(code,
 * { eval: true })`: tests run the TypeScript sources, and a worker file would
 * need a TS loader. It receives absolute module paths (and the compiled wasm
 * module) in workerData, so it never resolves packages itself.
 *
 * Message in:  { id, algorithm, paths: string[], follow: Uint8Array, cached: Array<[ino, size, mtimeNs, hash] | null> | null }
 * Message out: { id, hashes, sizes, modes, hits, inos, mtimesNs, statSizes, errors: [index, code, message][] }
 * Results travel as columns (typed arrays transferred, not copied): with
 * 100,000 files a per-file object on the main thread is what costs most.
 *
 * Each file is opened (without following a symlink unless `follow`) and
 * fstat'ed here, so a directory walk costs the main thread only its readdirs.
 * When a stat still matches `cached` (inode, size, mtime ns, as decimal
 * strings) the cached hash is returned without opening the file; otherwise
 * inode / mtime / size / mode, from fstat before reading, go back for the
 * caller's stat cache.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');

const CHUNK = workerData.chunkBytes;
const buffer = Buffer.allocUnsafe(CHUNK);
const native = workerData.backend === 'native' ? require(workerData.nativePath) : null;
let wasm = null;

function wasmHasher() {
  if (!wasm) wasm = new WebAssembly.Instance(workerData.wasmModule, {}).exports;
  wasm.Hash_Init(0);
  return {
    update(data) {
      for (let offset = 0; offset < data.length; offset += 16384) {
        const chunk = data.subarray(offset, offset + 16384);
        new Uint8Array(wasm.memory.buffer, wasm.Hash_GetBuffer(), chunk.length).set(chunk);
        wasm.Hash_Update(chunk.length);
      }
    },
    digestHex() {
      wasm.Hash_Final(32);
      return Buffer.from(new Uint8Array(wasm.memory.buffer, wasm.Hash_GetBuffer(), 32)).toString('hex');
    },
  };
}

function createHasher(algorithm) {
  if (algorithm === 'md5') {
    const md5 = crypto.createHash('md5');
    return { update: (data) => void md5.update(data), digestHex: () => md5.digest('hex') };
  }
  if (native) {
    const hasher = new native.Blake3Hasher();
    return { update: (data) => void hasher.update(data), digestHex: () => hasher.digest('hex') };
  }
  return wasmHasher();
}

function sameStat(cached, stat) {
  return cached[0] === String(stat.ino) && cached[1] === String(stat.size) && cached[2] === String(stat.mtimeNs);
}

function hashOne(path, follow, cached, algorithm) {
  if (cached) {
    // A cache hit costs one stat and no open.
    const stat = follow ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true });
    if (stat.isFile() && sameStat(cached, stat)) {
      return { hash: cached[3], size: Number(stat.size), ino: stat.ino, mtimeNs: stat.mtimeNs, statSize: stat.size, mode: Number(stat.mode), cached: true };
    }
  }
  // O_NOFOLLOW: a walked file must still be a regular file, not a link swapped in since readdir.
  // O_NONBLOCK: opening a FIFO must fail fast below, not wait for a writer.
  const flags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (follow ? 0 : fs.constants.O_NOFOLLOW);
  let fd;
  try {
    fd = fs.openSync(path, flags);
  } catch (error) {
    if (error && error.code === 'ELOOP' && !follow) throw Object.assign(new Error('became a symlink'), { code: 'ESPECIAL' });
    if (error && error.code === 'ENXIO') throw Object.assign(new Error('socket or device'), { code: 'ESPECIAL' }); // open() of a socket
    throw error;
  }
  try {
    const opened = fs.fstatSync(fd, { bigint: true });
    if (opened.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!opened.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ESPECIAL' });
    // A file smaller than the buffer is read up to the size fstat reported and
    // no further: this saves the extra read() that would only confirm EOF. The
    // hash then describes the file as of that fstat (a file that shrank meanwhile
    // yields fewer bytes, so size ≠ statSize and the caller does not cache it).
    const expected = Number(opened.size);
    const limit = expected < CHUNK ? expected : CHUNK;
    let filled = 0;
    let eof = false;
    while (filled < limit) {
      const n = fs.readSync(fd, buffer, filled, limit - filled, null);
      if (n === 0) {
        eof = true;
        break;
      }
      filled += n;
    }
    if (expected < CHUNK) eof = true;
    let hash;
    let size = filled;
    if (eof && native && algorithm === 'blake3') {
      // Whole file in one buffer: one-shot native hash, no hasher object.
      hash = native.blake3(buffer.subarray(0, filled)).toString('hex');
    } else {
      const hasher = createHasher(algorithm);
      hasher.update(buffer.subarray(0, filled));
      let n = eof ? 0 : fs.readSync(fd, buffer, 0, CHUNK, null);
      while (n > 0) {
        hasher.update(buffer.subarray(0, n));
        size += n;
        n = fs.readSync(fd, buffer, 0, CHUNK, null);
      }
      hash = hasher.digestHex();
    }
    return { hash, size, ino: opened.ino, mtimeNs: opened.mtimeNs, statSize: opened.size, mode: Number(opened.mode), cached: false };
  } finally {
    fs.closeSync(fd);
  }
}

parentPort.on('message', ({ id, algorithm, paths, follow, cached }) => {
  const n = paths.length;
  const hashes = new Array(n).fill('');
  const sizes = new Float64Array(n);
  const modes = new Uint32Array(n);
  const hits = new Uint8Array(n);
  const inos = new BigUint64Array(n);
  const mtimesNs = new BigInt64Array(n);
  const statSizes = new BigUint64Array(n);
  const errors = [];
  for (let i = 0; i < n; i++) {
    try {
      const result = hashOne(paths[i], follow[i] === 1, cached ? cached[i] : null, algorithm);
      hashes[i] = result.hash;
      sizes[i] = result.size;
      modes[i] = result.mode;
      hits[i] = result.cached ? 1 : 0;
      inos[i] = result.ino;
      mtimesNs[i] = result.mtimeNs;
      statSizes[i] = result.statSize;
    } catch (error) {
      errors.push([i, (error && error.code) || 'EIO', String((error && error.message) || error)]);
    }
  }
  parentPort.postMessage(
    { id, hashes, sizes, modes, hits, inos, mtimesNs, statSizes, errors },
    [sizes.buffer, modes.buffer, hits.buffer, inos.buffer, mtimesNs.buffer, statSizes.buffer],
  );
});
`;
