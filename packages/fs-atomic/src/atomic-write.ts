import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { InternalError } from '@cairn/errors';
import { ensureDirectory } from './directories';
import { writeError } from './errors';

/** A sibling temp name, so the final rename never crosses a file system. */
function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

async function fsyncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable; some file systems refuse fsync on a directory.
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    /* best effort */
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `target` so that a reader (or a crash) sees either the old
 * file or the complete new one, never a mix: temp file, fsync, rename.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: { mode?: number; durable?: boolean } = {},
): Promise<void> {
  const temp = tempPathFor(target);
  let handle: fs.FileHandle;
  try {
    // rename(2) would replace an empty folder at the target or fail late with EISDIR: refuse first.
    if ((await fs.stat(target).catch(() => undefined))?.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: ${target}`), { code: 'EISDIR' });
    }
    await ensureDirectory(dirname(target));
    handle = await fs.open(temp, 'wx', options.mode ?? 0o644);
  } catch (error) {
    throw writeError(error, target);
  }
  try {
    await handle.writeFile(data);
    if (options.durable !== false) await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw writeError(error, target);
  }
  if (options.durable !== false) await fsyncDirectory(dirname(target));
}

export async function writeJsonAtomic(
  target: string,
  value: unknown,
  options?: { mode?: number },
): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, options);
}

export interface AtomicWriteStream {
  /** Write the body here. */
  readonly stream: WriteStream;
  readonly tempPath: string;
  /** Flushes, fsyncs and renames into place. Call after the body is complete. */
  commit(target?: string): Promise<void>;
  /** Removes the temp file; the target is untouched. Safe to call twice. */
  abort(): Promise<void>;
}

/**
 * A write stream whose content appears at `target` only on `commit()`; an
 * interrupted or aborted write leaves nothing visible (at most a `.tmp`
 * sibling that `abort()` or a later sweep removes).
 */
export async function createAtomicWriteStream(
  target: string,
  options: { mode?: number } = {},
): Promise<AtomicWriteStream> {
  await ensureDirectory(dirname(target)).catch((error: unknown) => {
    throw writeError(error, target);
  });
  const tempPath = tempPathFor(target);
  const stream = createWriteStream(tempPath, { flags: 'wx', mode: options.mode ?? 0o644 });
  let done = false;
  return {
    stream,
    tempPath,
    async commit(finalTarget = target) {
      // Cairn's own callers commit or abort once; input cannot reach this.
      if (done) throw new InternalError('INTERNAL_INVARIANT', 'atomic write already finished');
      done = true;
      if (!stream.writableEnded) stream.end();
      await finished(stream);
      const handle = await fs.open(tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await ensureDirectory(dirname(finalTarget));
      await fs.rename(tempPath, finalTarget);
      await fsyncDirectory(dirname(finalTarget));
    },
    async abort() {
      done = true;
      // open(2) runs asynchronously: destroyed before it finished, the stream still creates the
      // file and only then closes it. Removing it before 'close' would leave it behind.
      if (!stream.closed) {
        const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
        stream.once('error', () => undefined);
        stream.destroy();
        await closed;
      }
      await fs.rm(tempPath, { force: true });
    },
  };
}
