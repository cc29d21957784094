import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  mkdtempSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError, type ErrorCode } from '@cairn/errors';
import { hashBuffer, hashFile, hashStream } from './hash-file';

const b3sum = (path: string) => execFileSync('b3sum', ['--no-names', path], { encoding: 'utf8' }).trim();
const md5sum = (path: string) => execFileSync('md5sum', [path], { encoding: 'utf8' }).split(' ')[0];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-hash-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(isCairnError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

describe('hashFile', () => {
  it('streams a 64 MiB file to the same BLAKE3 as b3sum, and md5 as md5sum', async () => {
    const path = join(dir, 'big.bin');
    const fd = openSync(path, 'w');
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
      writeSync(fd, block);
    }
    writeSync(fd, Buffer.from('tail that is not a multiple of the chunk size'));
    closeSync(fd);
    const result = await hashFile(path);
    expect(result.size).toBe(64 * 1024 * 1024 + 45);
    expect(result.hash).toBe(b3sum(path));
    const md5 = await hashFile(path, { algorithm: 'md5' });
    expect(md5.hash).toBe(md5sum(path));
  });

  it.each([0, 1, 1024, 1025, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1])(
    'agrees with b3sum at %i bytes (chunk edges)',
    async (length) => {
      const path = join(dir, `edge-${length}`);
      writeFileSync(path, Buffer.from(Array.from({ length }, (_, i) => (i * 7) % 256)));
      expect(await hashFile(path)).toEqual({ hash: b3sum(path), size: length });
    },
  );

  it('names the path when it is missing, a directory or a FIFO', async () => {
    await expectCode(hashFile(join(dir, 'missing')), 'PATH_NOT_FOUND');
    await expectCode(hashFile(dir), 'HASH_PATH_IS_DIRECTORY');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expectCode(hashFile(fifo), 'HASH_SPECIAL_FILE');
  });

  it('rejects an unknown algorithm', async () => {
    await expectCode(hashFile(join(dir, 'x'), { algorithm: 'sha1' as never }), 'HASH_BAD_ALGORITHM');
  });
});

describe('hashBuffer and hashStream', () => {
  it('hash strings as UTF-8 and agree with b3sum / md5sum', () => {
    const path = join(dir, 'text.txt');
    const text = 'héllo wörld ✓ 🙂\n';
    writeFileSync(path, text, 'utf8');
    expect(hashBuffer(text)).toBe(b3sum(path));
    expect(hashBuffer(Buffer.from(text))).toBe(b3sum(path));
    expect(hashBuffer(text, 'md5')).toBe(md5sum(path));
  });

  it('hashStream of a file stream equals hashFile, with the byte count', async () => {
    const path = join(dir, 'stream.bin');
    writeFileSync(path, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 13) % 256)));
    const streamed = await hashStream(createReadStream(path, { highWaterMark: 7777 }));
    expect(streamed).toEqual({ hash: b3sum(path), size: 300_000 });
    expect(await hashStream(Readable.from(['ab', Buffer.from('c')]), 'md5')).toEqual({
      hash: hashBuffer('abc', 'md5'),
      size: 3,
    });
  });
});
