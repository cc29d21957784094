/**
 * The hashing worker, as plain JavaScript evaluated with `new Worker(code,
 * { eval: true })`: tests run the TypeScript sources, and a worker file would
 * need a TS loader. It receives absolute module paths (and the compiled wasm
 * module) in workerData, so it never resolves packages itself.
 *
 * Message in:  { id, algorithm, files: Array<{ path, follow, cached?: [ino, size, mtimeNs, hash] }> }
 * Message out: { id, results: Array<{ hash, size, ino, mtimeNs, statSize, mode, cached } | { error: { code, message } }> }
 *
 * Each file is stat'ed here (lstat unless `follow`), so a directory walk costs
 * the main thread only its readdirs. When the stat still matches `cached`
 * (inode, size, mtime ns, as decimal strings) the cached hash is returned
 * without reading; otherwise ino / mtimeNs / statSize / mode come from fstat
 * of the open file before it is read, for the caller's stat cache.
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

function hashOne(file, algorithm) {
  const path = file.path;
  const stat = file.follow ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true });
  if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ESPECIAL' });
  const cached = file.cached;
  if (cached && cached[0] === String(stat.ino) && cached[1] === String(stat.size) && cached[2] === String(stat.mtimeNs)) {
    return { hash: cached[3], size: Number(stat.size), ino: stat.ino, mtimeNs: stat.mtimeNs, statSize: stat.size, mode: Number(stat.mode), cached: true };
  }
  // O_NONBLOCK: opening a FIFO (swapped in since the stat) must not wait for a writer.
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const opened = fs.fstatSync(fd, { bigint: true });
    if (!opened.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ESPECIAL' });
    let filled = 0;
    let eof = false;
    while (filled < CHUNK) {
      const n = fs.readSync(fd, buffer, filled, CHUNK - filled, null);
      if (n === 0) {
        eof = true;
        break;
      }
      filled += n;
    }
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

parentPort.on('message', (message) => {
  const results = message.files.map((file) => {
    try {
      return hashOne(file, message.algorithm);
    } catch (error) {
      return { error: { code: (error && error.code) || 'EIO', message: String((error && error.message) || error) } };
    }
  });
  parentPort.postMessage({ id: message.id, results });
});
`;
