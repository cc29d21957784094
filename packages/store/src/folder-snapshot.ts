import { lstatSync, promises as fs, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { hashBuffer } from '@cairn/hash';
import { OBJECTS_FOLDER } from './layout';

/**
 * A tracked folder as it was when its hash was last known: one lstat row per
 * folder and per file, so the no-op `status` and `add` can tell that nothing
 * changed with one lstat per entry and no hashing, no stat-cache lookups and
 * no manifest rebuilt (git's index does the same for the work tree).
 *
 * Two rules make a match trustworthy:
 * - every row is at least the racy window older than the walk that took it
 *   (a file or folder modified again within its timestamp tick keeps its
 *   mtime, so a fresh row could hide a change); a fresher walk records
 *   nothing and the next run walks again;
 * - a folder's mtime moves whenever an entry is created, removed or renamed
 *   in it, so unchanged folder rows mean no file came or went, and unchanged
 *   file rows (inode, size, mtime, owner's execute bit) mean no file changed.
 *
 * Times are the `mtimeMs` a plain `lstat` gives (a double): the check takes
 * no BigInt stats. Rows taken as BigInt stats are converted with the same
 * arithmetic Node uses, so the same file gives the same double either way.
 *
 * Optionally it also remembers that the store held every object of the
 * folder, keyed on the mtimes of the store's fan-out folders holding them:
 * deleting or quarantining an object changes its fan-out folder's mtime, so
 * while those rows match, no object went missing.
 */

/** Where a row came from: a folder or file as lstat (plain numbers) saw it. */
interface StatRow {
  ino: number;
  mtimeMs: number;
}

export interface FolderRow extends StatRow {
  /** Relative POSIX path under the tracked folder; '' for the folder itself. */
  relative: string;
}

export interface FileRow extends StatRow {
  /** Index of the folder (in `FolderWalk.folders`) holding the file. */
  folder: number;
  name: string;
  size: number;
  executable: boolean;
}

/** Everything a walk saw: folders (the tracked folder first) and files. */
export interface FolderWalk {
  folders: FolderRow[];
  files: FileRow[];
}

/** The fan-out folders holding a folder's objects, as lstat saw them before the store was listed. */
export interface StorePresence {
  cacheDir: string;
  fanout: Array<StatRow & { name: string }>;
}

export interface FolderSnapshot {
  /** Real path of the tracked folder. */
  root: string;
  /** The folder's `<hex>.dir` hash, and what it totals. */
  hash: string;
  size: number;
  nfiles: number;
  walk: FolderWalk;
  presence?: StorePresence;
}

const MAGIC = Buffer.from('CAIRNFSN', 'latin1');
const VERSION = 1;
const CHECKSUM_HEX = 64;

/** `mtimeMs` exactly as Node computes it for a plain stat, from a BigInt stat's nanoseconds. */
export function msFromNs(ns: bigint): number {
  const seconds = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const nanos = ns - seconds * 1_000_000_000n;
  return Number(seconds) * 1e3 + Number(nanos) / 1e6;
}

/** The snapshot file of the folder whose real path is `root`, under `snapshotDir`. */
export function snapshotFile(snapshotDir: string, root: string): string {
  return join(snapshotDir, hashBuffer(root).slice(0, 32));
}

/**
 * Removes the snapshots of every folder but `roots` (real paths), and
 * leftovers of interrupted writes: a snapshot is only a cache, the next
 * status of a folder takes it again. The number of files removed.
 */
export async function sweepSnapshots(snapshotDir: string, roots: Iterable<string>): Promise<number> {
  const keep = new Set([...roots].map((root) => basename(snapshotFile(snapshotDir, root))));
  let names: string[];
  try {
    names = await fs.readdir(snapshotDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (keep.has(name)) continue;
    await fs.rm(join(snapshotDir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}

/** What checkSnapshot found: the snapshot's folder is unchanged. */
export interface SnapshotMatch {
  root: string;
  hash: string;
  size: number;
  nfiles: number;
  presence?: StorePresence;
  /** The encoded rows (everything before the presence section), to save new presence with. */
  rows: Buffer;
}

/** From this many files, a worker thread lstats the second part while this thread does the first. */
const FILES_FOR_WORKER = 30_000;
/** Rows the calling thread takes beyond half, for the worker's start-up (~25 ms of lstats). */
const WORKER_HEAD_START_ROWS = 8_000;

/**
 * The folder's hash if nothing in it changed since the snapshot, else
 * undefined (no snapshot, a torn or foreign one, or any row that differs).
 * Rows are checked straight from the file's bytes, no object per file, with
 * synchronous lstats (through the thread pool they cost more than the stats
 * themselves); a large folder's second part is checked on a worker thread.
 */
export async function checkSnapshot(
  snapshotDir: string,
  folder: string,
  /** For tests: how many file rows this thread checks before a worker takes the rest. */
  split: { rowsHere?: number } = {},
): Promise<SnapshotMatch | undefined> {
  let root: string;
  let data: Buffer;
  try {
    root = realpathSync(folder);
    data = readFileSync(snapshotFile(snapshotDir, root));
  } catch {
    return undefined;
  }
  const read = openSnapshot(data);
  if (!read) return undefined;
  try {
    if (read.str() !== root) return undefined;
    const hash = read.str();
    const size = read.f64();
    const nfiles = read.u32();
    const folders = new Array<string>(read.u32());
    for (let index = 0; index < folders.length; index++) {
      const relative = read.str();
      const path = relative === '' ? root : `${root}/${relative}`;
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (!stat || !stat.isDirectory() || stat.ino !== read.f64() || stat.mtimeMs !== read.f64())
        return undefined;
      folders[index] = path;
    }
    const files = read.u32();
    const here = Math.min(
      files,
      split.rowsHere ?? (files < FILES_FOR_WORKER ? files : (files >> 1) + WORKER_HEAD_START_ROWS),
    );
    const rest =
      here < files
        ? checkRowsOnWorker(data, skipFileRows(data, read.offset, here, read.end), files - here, folders)
        : Promise.resolve(-1);
    const afterHere = checkFileRows(data, read.offset, here, read.end, folders, lstatSync);
    if (afterHere < 0) {
      void rest.catch(() => undefined);
      return undefined;
    }
    read.offset = here < files ? await rest : afterHere;
    if (read.offset < 0) return undefined;
    const rows = data.subarray(0, read.offset);
    const presence = read.u8() === 1 ? readPresence(read) : undefined;
    if (read.offset !== read.end) return undefined;
    return { root, hash, size, nfiles, rows, ...(presence ? { presence } : {}) };
  } catch (error) {
    if (error instanceof Truncated) return undefined;
    throw error;
  }
}

/** The offset after `count` file rows starting at `offset` (-1 past `end`). */
function skipFileRows(data: Buffer, offset: number, count: number, end: number): number {
  let at = offset;
  for (let row = 0; row < count; row++) {
    if (at + 8 > end) return -1;
    at += 8 + data.readUInt32LE(at + 4) + 25;
  }
  return at <= end ? at : -1;
}

/**
 * Checks `count` file rows from `offset` against lstat; the offset after
 * them, or -1 at the first difference or malformed row. Self-contained
 * (its source also runs on a worker thread, see checkRowsOnWorker): it
 * uses only its arguments.
 */
function checkFileRows(
  data: Buffer,
  offset: number,
  count: number,
  end: number,
  folders: string[],
  lstat: typeof lstatSync,
): number {
  let at = offset;
  for (let row = 0; row < count; row++) {
    if (at < 0 || at + 8 > end) return -1;
    const folder = folders[data.readUInt32LE(at)];
    const nameBytes = data.readUInt32LE(at + 4);
    const fields = at + 8 + nameBytes;
    if (folder === undefined || fields + 25 > end) return -1;
    const stat = lstat(`${folder}/${data.toString('utf8', at + 8, fields)}`, { throwIfNoEntry: false });
    if (
      !stat ||
      !stat.isFile() ||
      stat.ino !== data.readDoubleLE(fields) ||
      stat.size !== data.readDoubleLE(fields + 8) ||
      stat.mtimeMs !== data.readDoubleLE(fields + 16) ||
      ((stat.mode & 0o100) !== 0) !== (data[fields + 24] === 1)
    )
      return -1;
    at = fields + 25;
  }
  return at;
}

/** checkFileRows on a worker thread, over a shared copy of the snapshot's bytes. */
function checkRowsOnWorker(data: Buffer, offset: number, count: number, folders: string[]): Promise<number> {
  if (offset < 0) return Promise.resolve(-1);
  const shared = new SharedArrayBuffer(data.length);
  data.copy(Buffer.from(shared));
  const worker = new Worker(
    `const { parentPort, workerData: w } = require('node:worker_threads');
     const checkFileRows = ${checkFileRows.toString()};
     parentPort.postMessage(checkFileRows(Buffer.from(w.shared), w.offset, w.count, w.end, w.folders, require('node:fs').lstatSync));`,
    { eval: true, workerData: { shared, offset, count, end: data.length - CHECKSUM_HEX, folders } },
  );
  return new Promise<number>((resolve) => {
    worker.once('message', (after: number) => resolve(after));
    // A worker that cannot start or fails is a miss: the caller walks the folder instead.
    worker.once('error', () => resolve(-1));
    worker.once('exit', () => resolve(-1));
  }).finally(() => void worker.terminate());
}

/** True while no object the snapshot's folder needs can have left the store (see the module comment). */
export function presenceHolds(snapshot: SnapshotMatch, cacheDir: string): boolean {
  const presence = snapshot.presence;
  if (!presence || presence.cacheDir !== cacheDir) return false;
  for (const row of presence.fanout) {
    const stat = lstatSync(join(cacheDir, OBJECTS_FOLDER, row.name), { throwIfNoEntry: false });
    if (!stat || !stat.isDirectory() || stat.ino !== row.ino || stat.mtimeMs !== row.mtimeMs) return false;
  }
  return true;
}

/**
 * The fan-out folders holding `ids`, stat'ed now (call it before listing the
 * store), or undefined when one of them changed at or after
 * `trustedBeforeMs` (within the racy window: a later deletion in the same
 * timestamp tick would not show).
 */
export function fanoutRows(
  cacheDir: string,
  ids: Iterable<string>,
  trustedBeforeMs: number,
): StorePresence | undefined {
  const names = [...new Set([...ids].map((id) => id.slice(0, 2)))].sort();
  const fanout: StorePresence['fanout'] = [];
  for (const name of names) {
    const stat = lstatSync(join(cacheDir, OBJECTS_FOLDER, name), { throwIfNoEntry: false });
    if (!stat || !stat.isDirectory() || stat.mtimeMs >= trustedBeforeMs) return undefined;
    fanout.push({ name, ino: stat.ino, mtimeMs: stat.mtimeMs });
  }
  return { cacheDir, fanout };
}

/** Writes a walk's snapshot (temp file + rename; a torn file fails its checksum and is ignored). */
export async function saveSnapshot(snapshotDir: string, snapshot: FolderSnapshot): Promise<void> {
  const out = new Writer();
  out.bytes(MAGIC);
  out.u32(VERSION);
  out.str(snapshot.root);
  out.str(snapshot.hash);
  out.f64(snapshot.size);
  out.u32(snapshot.nfiles);
  out.u32(snapshot.walk.folders.length);
  for (const row of snapshot.walk.folders) {
    out.str(row.relative);
    out.f64(row.ino);
    out.f64(row.mtimeMs);
  }
  out.u32(snapshot.walk.files.length);
  for (const row of snapshot.walk.files) {
    out.u32(row.folder);
    out.str(row.name);
    out.f64(row.ino);
    out.f64(row.size);
    out.f64(row.mtimeMs);
    out.u8(row.executable ? 1 : 0);
  }
  await writeSnapshot(snapshotDir, snapshot.root, out, snapshot.presence);
}

/** Rewrites a matched snapshot with the store presence just verified. */
export async function savePresence(
  snapshotDir: string,
  match: SnapshotMatch,
  presence: StorePresence,
): Promise<void> {
  const out = new Writer();
  out.bytes(match.rows);
  await writeSnapshot(snapshotDir, match.root, out, presence);
}

async function writeSnapshot(
  snapshotDir: string,
  root: string,
  out: Writer,
  presence: StorePresence | undefined,
): Promise<void> {
  out.u8(presence ? 1 : 0);
  if (presence) {
    out.str(presence.cacheDir);
    out.u32(presence.fanout.length);
    for (const row of presence.fanout) {
      out.str(row.name);
      out.f64(row.ino);
      out.f64(row.mtimeMs);
    }
  }
  const body = out.done();
  await fs.mkdir(snapshotDir, { recursive: true });
  await writeFileAtomic(
    snapshotFile(snapshotDir, root),
    Buffer.concat([body, Buffer.from(hashBuffer(body), 'latin1')]),
    {
      durable: false,
    },
  );
}

/*
 * Format, little-endian; str = u32 byte length + UTF-8:
 *   magic "CAIRNFSN" | version u32 | root str | hash str | size f64 | nfiles u32
 *   | folder count u32 | per folder: relative str, ino f64, mtimeMs f64
 *   | file count u32 | per file: folder u32, name str, ino f64, size f64, mtimeMs f64, executable u8
 *   | presence u8 (0/1) [| cacheDir str | count u32 | per fan-out folder: name str, ino f64, mtimeMs f64]
 *   | BLAKE3 of everything above, 64 hex digits
 */
class Writer {
  private buffer = Buffer.allocUnsafe(1 << 16);
  length = 0;

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  u8(value: number): void {
    this.room(1);
    this.length = this.buffer.writeUInt8(value, this.length);
  }

  u32(value: number): void {
    this.room(4);
    this.length = this.buffer.writeUInt32LE(value, this.length);
  }

  f64(value: number): void {
    this.room(8);
    this.length = this.buffer.writeDoubleLE(value, this.length);
  }

  str(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.u32(bytes);
    this.room(bytes);
    this.length += this.buffer.write(value, this.length, 'utf8');
  }

  bytes(value: Buffer): void {
    this.room(value.length);
    this.length += value.copy(this.buffer, this.length);
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Thrown by Reader when a length runs past the end: the file is torn or foreign. */
class Truncated extends Error {}

class Reader {
  offset = 0;
  constructor(
    private readonly data: Buffer,
    readonly end: number,
  ) {}

  private take(bytes: number): number {
    const at = this.offset;
    if (at + bytes > this.end) throw new Truncated();
    this.offset += bytes;
    return at;
  }

  u8(): number {
    return this.data[this.take(1)]!;
  }

  u32(): number {
    return this.data.readUInt32LE(this.take(4));
  }

  f64(): number {
    return this.data.readDoubleLE(this.take(8));
  }

  str(): string {
    const bytes = this.u32();
    const at = this.take(bytes);
    return this.data.toString('utf8', at, at + bytes);
  }
}

/** A reader past the version, or undefined when `data` is foreign, of another version, torn or corrupt. */
function openSnapshot(data: Buffer): Reader | undefined {
  const end = data.length - CHECKSUM_HEX;
  if (end < MAGIC.length + 4 || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (data.toString('latin1', end) !== hashBuffer(data.subarray(0, end))) return undefined;
  const read = new Reader(data, end);
  read.offset = MAGIC.length;
  return read.u32() === VERSION ? read : undefined;
}

function readPresence(read: Reader): StorePresence {
  const cacheDir = read.str();
  const fanout: StorePresence['fanout'] = new Array(read.u32());
  for (let index = 0; index < fanout.length; index++)
    fanout[index] = { name: read.str(), ino: read.f64(), mtimeMs: read.f64() };
  return { cacheDir, fanout };
}
