import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { CairnError } from '@cairn/errors';
import { ensureDirectory } from '@cairn/fs-atomic';
import { OBJECTS_FOLDER } from '@cairn/store/layout';
import { cacheServerError } from '../errors';
import { FolderSyncs } from './folder-syncs';
import type { PutOutcome, SmallRead, StagedPuts, Storage, StoredBody } from './types';

const TEMP_NAME = /^\..+\.tmp$/;
const READ_CHUNK = 1024 * 1024;
/** Body bytes gathered per writev: a 1 MB entry is one write, a large one streams in 1 MiB steps. */
const WRITE_BATCH = 1024 * 1024;

async function fsyncPath(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `syncfs(2)` of the file system holding `path` (`sync -f`): one flush for many files instead of an fsync each. */
function syncFileSystem(path: string): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('sync', ['-f', path], { timeout: 120_000 }, (error) => resolve(!error)),
  );
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '')
  );
}

function unusable(root: string, error: unknown): Error {
  if (error instanceof CairnError) return error;
  const reason = (error as NodeJS.ErrnoException).code ?? String(error);
  return cacheServerError('STORAGE_PATH_UNUSABLE', `storage folder ${root} cannot be used (${reason})`, {
    data: { storage: root, reason },
    hint: 'pass --storage a folder on a writable file system (it is created if missing)',
    cause: error,
  });
}

/** Creates a storage folder with fs-atomic's `ensureDirectory` (Node's recursive mkdir spins under /proc). */
async function ensureFolder(path: string, root: string): Promise<void> {
  try {
    await ensureDirectory(path);
  } catch (error) {
    if (!isCode(error, 'ENOTDIR')) throw unusable(root, error);
    const file = (error as NodeJS.ErrnoException).path ?? path;
    throw cacheServerError(
      'STORAGE_PATH_NOT_FOLDER',
      file === root
        ? `storage path ${root} is a file, not a folder`
        : `storage path ${root}: ${file} is a file, not a folder`,
      { data: { storage: root, file }, hint: 'pass --storage a folder (it is created if missing)' },
    );
  }
}

/** Removes a file that may already be gone (one unlink; `fs.rm` would lstat first). */
async function removeFile(path: string): Promise<void> {
  await fs.unlink(path).catch((error: unknown) => {
    if (!isCode(error, 'ENOENT')) throw error;
  });
}

/** A hidden temp sibling of `target`, unique per process and call (swept by `init` after a crash). */
function tempBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Creates `path` (never an existing file; read-only for later opens), making the fan-out folder on
 * demand. `dataSync` opens it O_DSYNC: each write returns once its bytes and the size are on disk.
 */
async function openExclusive(path: string, dataSync: boolean): Promise<fs.FileHandle> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fsConstants;
  const flags = O_WRONLY | O_CREAT | O_EXCL | (dataSync ? O_DSYNC : 0);
  try {
    return await fs.open(path, flags, 0o444);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
    await fs.mkdir(dirname(path), { recursive: true });
    return fs.open(path, flags, 0o444);
  }
}

/** Writes a stream to `handle`, gathering chunks into one writev per WRITE_BATCH bytes (memory stays bounded). */
async function writeAll(handle: fs.FileHandle, body: Readable): Promise<void> {
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = async () => {
    let written = 0;
    while (written < batched) {
      const { bytesWritten } = await handle.writev(written === 0 ? batch : remainder(batch, written));
      written += bytesWritten;
    }
    batch = [];
    batched = 0;
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    batch.push(chunk);
    batched += chunk.length;
    if (batched >= WRITE_BATCH) await flush();
  }
  if (batched > 0) await flush();
}

/** The buffers of `batch` after its first `skip` bytes (what a short writev left). */
function remainder(batch: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of batch) {
    if (skip >= buffer.length) skip -= buffer.length;
    else {
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
  }
  return rest;
}

/**
 * Entries as files under a root directory: `cache/<hash>` and
 * `objects/b3/<2 hex>/<62 hex>[.dir]` (so `<root>/objects` is itself a valid
 * local data remote). Bodies stream into a hidden temp sibling, are made
 * durable (`O_DSYNC` when one write holds them, else `fdatasync`), then
 * published with `link(2)`, which fails instead of overwriting when the
 * entry appeared meanwhile, and the folder is fsynced before the upload is
 * acknowledged (one folder fsync serves every upload linked before it
 * started). Published files are read-only (0444).
 */
export class FileSystemStorage implements Storage {
  readonly description: string;
  private readonly folderSyncs = new FolderSyncs(fsyncPath);
  constructor(readonly root: string) {
    this.description = `fs:${root}`;
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async init(): Promise<void> {
    await ensureFolder(this.root, this.root);
    try {
      for (const folder of [
        join(this.root, 'cache'),
        join(this.root, 'objects'),
        join(this.root, 'objects', OBJECTS_FOLDER),
      ]) {
        await ensureFolder(folder, this.root);
      }
      // A killed server can leave hidden temp files; they were never visible, so drop them.
      const folders = [join(this.root, 'cache')];
      for (const prefix of await fs.readdir(join(this.root, 'objects', OBJECTS_FOLDER))) {
        folders.push(join(this.root, 'objects', OBJECTS_FOLDER, prefix));
      }
      for (const folder of folders) {
        for (const name of await fs.readdir(folder)) {
          if (TEMP_NAME.test(name)) await fs.rm(join(folder, name), { force: true });
        }
      }
    } catch (error) {
      throw unusable(this.root, error);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await fs.access(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async get(key: string): Promise<StoredBody | undefined> {
    const path = this.pathOf(key);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
    const { size } = await handle.stat();
    // A bounded range ends the stream at the last byte, without waiting for one more read to report EOF;
    // 1 MiB reads (not 64 KiB) cut syscalls and socket writes while memory stays bounded per request.
    const stream =
      size === 0
        ? Readable.from([])
        : handle.createReadStream({ start: 0, end: size - 1, highWaterMark: Math.min(size, READ_CHUNK) });
    if (size === 0) await handle.close();
    return { stream, size };
  }

  async readSmall(key: string, maxBytes: number): Promise<SmallRead> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(key), 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return 'absent';
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) return 'too-large';
      const body = Buffer.allocUnsafe(size);
      let have = 0;
      while (have < size) {
        const { bytesRead } = await handle.read(body, have, size - have, have);
        if (bytesRead === 0) break;
        have += bytesRead;
      }
      // Published entries are never rewritten: a short read means the file is not what was stored.
      if (have !== size) throw new Error(`${key} ended after ${have} of ${size} bytes`);
      return body;
    } finally {
      await handle.close();
    }
  }

  async put(key: string, body: Readable, size: number, check: () => void): Promise<PutOutcome> {
    const target = this.pathOf(key);
    const temp = tempBeside(target);
    // A body that fits one write is written O_DSYNC (durable when the write returns, no fdatasync
    // round trip); a larger one streams in WRITE_BATCH steps and is fdatasynced once at the end.
    const oneWrite = size <= WRITE_BATCH;
    const handle = await openExclusive(temp, oneWrite);
    let published = false;
    try {
      try {
        await writeAll(handle, body);
        check();
        if (!oneWrite) await handle.datasync();
      } finally {
        await handle.close();
      }
      let renamed = false;
      try {
        await fs.link(temp, target);
      } catch (error) {
        if (isCode(error, 'EEXIST')) return 'exists';
        if (!isCode(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP')) throw error;
        // File systems without hard links: rename (may replace an identical concurrent upload).
        await fs.rename(temp, target);
        renamed = true;
      }
      published = true;
      // The temp name goes while the folder syncs: the entry is durable once its new name is.
      await Promise.all([this.folderSyncs.sync(dirname(target)), renamed ? undefined : removeFile(temp)]);
      return 'stored';
    } finally {
      if (!published) await removeFile(temp);
    }
  }

  stage(): StagedPuts {
    const staged: Array<{ temp: string; target: string }> = [];
    const durable = async (paths: string[]) => {
      if (await syncFileSystem(this.root)) return;
      for (const path of paths) await fsyncPath(path);
    };
    return {
      add: async (key, body) => {
        const target = this.pathOf(key);
        const temp = tempBeside(target);
        staged.push({ temp, target });
        // The fan-out folder usually exists: create it only when the write says it does not (one syscall less per object).
        await fs.writeFile(temp, body, { flag: 'wx', mode: 0o444 }).catch(async (error: unknown) => {
          if (!isCode(error, 'ENOENT')) throw error;
          await fs.mkdir(dirname(target), { recursive: true });
          await fs.writeFile(temp, body, { flag: 'wx', mode: 0o444 });
        });
      },
      publish: async () => {
        await durable(staged.map((entry) => entry.temp));
        const outcomes: PutOutcome[] = [];
        for (const { temp, target } of staged) {
          try {
            await fs.link(temp, target);
            outcomes.push('stored');
          } catch (error) {
            if (isCode(error, 'EEXIST')) {
              outcomes.push('exists');
              continue;
            }
            if (!isCode(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP')) throw error;
            await fs.rename(temp, target);
            outcomes.push('stored');
          }
        }
        await durable([...new Set(staged.map((entry) => dirname(entry.target)))]);
        return outcomes;
      },
      discard: async () => {
        await Promise.all(staged.map((entry) => fs.rm(entry.temp, { force: true })));
        staged.length = 0;
      },
    };
  }

  async close(): Promise<void> {}
}
