import { constants as fsConstants, promises as fs } from 'node:fs';
import { CairnError, cairnError } from '@cairn/errors';
import { assertAlgorithm, createHasher, digestBytes, type HashAlgorithm, type Hasher } from './backend';
import { fileError } from './errors';

/** Read size for streaming a file: big enough to amortise syscalls, small enough to keep memory bounded. */
export const FILE_CHUNK_BYTES = 4 * 1024 * 1024;

/** Files below this size are read into one exact-size buffer and hashed in one call. */
const SMALL_FILE_BYTES = 1024 * 1024;

export interface HashResult {
  hash: string;
  size: number;
}

/** Hash of bytes (strings are hashed as their UTF-8 encoding), lowercase hex: 64 digits for BLAKE3, 32 for md5. */
export function hashBuffer(data: Uint8Array | string, algorithm: HashAlgorithm = 'blake3'): string {
  assertAlgorithm(algorithm);
  return digestBytes(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, algorithm);
}

/** Hashes everything a readable stream yields (Buffers or strings); memory stays at one chunk. */
export async function hashStream(
  stream: NodeJS.ReadableStream,
  algorithm: HashAlgorithm = 'blake3',
): Promise<HashResult> {
  const hasher = createHasher(assertAlgorithm(algorithm));
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hasher.update(bytes);
    size += bytes.length;
  }
  return { hash: hasher.digestHex(), size };
}

/**
 * Streams a file through the hasher with two alternating buffers: the next
 * read runs on libuv's thread pool while this thread hashes the previous
 * chunk, so I/O and hashing overlap and memory stays at 2 × FILE_CHUNK_BYTES.
 */
export async function hashFile(
  path: string,
  options: {
    algorithm?: HashAlgorithm;
    /** Read size; default FILE_CHUNK_BYTES (4 MiB). */ chunkBytes?: number;
  } = {},
): Promise<HashResult> {
  const algorithm = assertAlgorithm(options.algorithm ?? 'blake3');
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO must be rejected below, not block the open waiting for a writer.
    handle = await fs.open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    throw fileError(error, path);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory())
      throw fileError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), path);
    if (!stat.isFile()) {
      throw cairnError('HASH_SPECIAL_FILE', `${path}: not a regular file (socket, FIFO or device)`, {
        data: { path },
        hint: 'only regular files and directories can be hashed',
      });
    }
    let hasher: Hasher | undefined;
    let size = 0;
    if (stat.size < SMALL_FILE_BYTES) {
      // One exact-size buffer (+1 byte to see EOF) and a one-shot hash: no per-file 4 MiB buffers to collect.
      const buffer = Buffer.allocUnsafe(stat.size + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
        filled += bytesRead;
        if (bytesRead === 0 || filled === buffer.length) break;
      }
      if (filled <= stat.size)
        return { hash: digestBytes(buffer.subarray(0, filled), algorithm), size: filled };
      // The file grew while being read: carry on streaming.
      hasher = createHasher(algorithm);
      hasher.update(buffer);
      size = filled;
    }
    hasher ??= createHasher(algorithm);
    const chunk = Math.max(64 * 1024, options.chunkBytes ?? FILE_CHUNK_BYTES);
    const buffers = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
    let turn = 0;
    let pending = handle.read(buffers[0]!, 0, chunk, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = buffers[turn]!;
      turn ^= 1;
      pending = handle.read(buffers[turn]!, 0, chunk, null);
      hasher.update(current.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { hash: hasher.digestHex(), size };
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw fileError(error, path);
  } finally {
    await handle.close();
  }
}
