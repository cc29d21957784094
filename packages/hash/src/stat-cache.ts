import { promises as fs, type BigIntStats } from 'node:fs';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { digestBytes, type HashAlgorithm } from './backend';

/** The part of a (bigint) stat the cache keys on. */
export type StatKey = Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>;

/**
 * How close to "now" an mtime must be for its hash to be distrusted. A file
 * written within the same timestamp tick as the hash could change again
 * without its mtime moving (the racy-git problem); file-system clocks are
 * coarse (a jiffy on Linux, 1–2 s on some file systems), so we keep a margin.
 */
export const DEFAULT_RACY_WINDOW_MS = 2_000;

/**
 * On-disk index, little-endian, read and written whole:
 *
 *   magic "CAIRNSTC" | version u32 | entry count u32
 *   per entry: path length u32 | path UTF-8 | ino u64 | size u64 | mtime ns u64
 *              | hash count u8 | per hash: algorithm u8 | hash length u8 | hash ASCII
 *   BLAKE3 of everything above (32 bytes)
 *
 * One lstat-comparable record per file, as git's index does, so loading
 * 100,000 entries is a linear scan instead of a JSON parse. The trailing
 * checksum makes a torn or corrupted file detectable: such a file is
 * dropped and the cache rebuilt, never trusted.
 */
const MAGIC = Buffer.from('CAIRNSTC', 'latin1');
const VERSION = 2;
const HEADER_BYTES = MAGIC.length + 8;
const CHECKSUM_BYTES = 32;
const ALGORITHM_CODES: Record<HashAlgorithm, number> = { blake3: 1, md5: 2 };
const ALGORITHM_BY_CODE = new Map<number, HashAlgorithm>(
  Object.entries(ALGORITHM_CODES).map(([name, code]) => [code, name as HashAlgorithm]),
);

/** [inode, size, mtime ns, hashes by algorithm]. */
type Record_ = [ino: bigint, size: bigint, mtimeNs: bigint, hashes: Partial<Record<HashAlgorithm, string>>];

/**
 * An entry as loaded: its offset in the index buffer, decoded only when
 * looked up (100,000 decoded records would be 600,000 long-lived objects
 * for the garbage collector), or a record remembered since.
 */
type Stored = Record_ | number;

/** The loaded index, and each path's entry in it. */
interface Index {
  data: Buffer;
  entries: Map<string, Stored>;
}

/**
 * Remembers file hashes by (path, inode, size, mtime in ns) so unchanged files
 * are never rehashed. It only ever stores hashes it can trust: an entry whose
 * mtime is not strictly older than (time of hashing − racy window) is never
 * recorded, so a file modified again within the same mtime tick is rehashed.
 * Persisted as a checksummed binary index with an atomic rename; a missing,
 * foreign, older-format, torn or corrupt file is treated as an empty cache
 * (it is only a cache: everything is rehashed and the index rewritten).
 */
export class StatCache {
  private decoded: Index | undefined;
  private dirty = false;

  private constructor(
    readonly file: string | undefined,
    /** The file's bytes, decoded on first use: a no-op status answered by folder snapshots never needs them. */
    private raw: Buffer | undefined,
    private readonly racyWindowNs: bigint,
    private readonly clockNs: () => bigint,
  ) {}

  private get index(): Index {
    if (!this.decoded) {
      this.decoded = (this.raw && decodeIndex(this.raw)) ?? emptyIndex();
      this.raw = undefined;
    }
    return this.decoded;
  }

  private get entries(): Map<string, Stored> {
    return this.index.entries;
  }

  /** Loads `file` if it exists; `save()` writes back to it. */
  static async load(
    file: string,
    options: { racyWindowMs?: number; clock?: () => bigint } = {},
  ): Promise<StatCache> {
    let raw: Buffer | undefined;
    try {
      raw = await fs.readFile(file);
    } catch {
      /* missing or unreadable: start empty */
    }
    return new StatCache(file, raw, msToNs(options.racyWindowMs), options.clock ?? wallClockNs);
  }

  /** A cache that lives only in memory (save() is a no-op). */
  static inMemory(options: { racyWindowMs?: number; clock?: () => bigint } = {}): StatCache {
    return new StatCache(undefined, undefined, msToNs(options.racyWindowMs), options.clock ?? wallClockNs);
  }

  /** The clock remember() compares mtimes against, in ns since the epoch. */
  now(): bigint {
    return this.clockNs();
  }

  /**
   * The mtime (ns) below which a stat taken at `takenAtNs` (default now) is
   * old enough to trust: the racy rule remember() applies, for callers that
   * keep stats of their own.
   */
  trustedBefore(takenAtNs: bigint = this.clockNs()): bigint {
    return takenAtNs - this.racyWindowNs;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The remembered hash if path, inode, size and mtime (ns) all still match. */
  lookup(path: string, stat: StatKey, algorithm: HashAlgorithm): string | undefined {
    const record = this.record(path);
    if (!record || !matches(record, stat)) return undefined;
    return record[3][algorithm];
  }

  /** The raw entry for a worker to check itself: [inode, size, mtime ns, hash] as strings. */
  entryFor(path: string, algorithm: HashAlgorithm): [string, string, string, string] | undefined {
    const record = this.record(path);
    const hash = record?.[3][algorithm];
    return record && hash !== undefined
      ? [record[0].toString(), record[1].toString(), record[2].toString(), hash]
      : undefined;
  }

  /**
   * Records `hash` for the file as `stat` describes it (a stat taken before
   * the file was read, at `statTakenAtNs` — default now; pass the real time
   * when hashing took a while). Returns false when the entry is racy and was
   * not recorded.
   */
  remember(
    path: string,
    stat: StatKey,
    algorithm: HashAlgorithm,
    hash: string,
    statTakenAtNs?: bigint,
  ): boolean {
    if (stat.mtimeNs >= this.trustedBefore(statTakenAtNs)) {
      // Too fresh to trust; also drop an older entry for this path.
      if (this.entries.delete(path)) this.dirty = true;
      return false;
    }
    const existing = this.record(path);
    const hashes = existing && matches(existing, stat) ? existing[3] : {};
    if (hashes[algorithm] === hash) return true;
    this.entries.set(path, [stat.ino, stat.size, stat.mtimeNs, { ...hashes, [algorithm]: hash }]);
    this.dirty = true;
    return true;
  }

  private record(path: string): Record_ | undefined {
    const stored = this.entries.get(path);
    return typeof stored === 'number' ? decodeRecord(this.index.data, stored) : stored;
  }

  forget(path: string): void {
    if (this.entries.delete(path)) this.dirty = true;
  }

  /** Writes the cache atomically (temp file + rename) if anything changed. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    const records = new Map<string, Record_>();
    for (const path of this.entries.keys()) records.set(path, this.record(path)!);
    await writeFileAtomic(this.file, encodeIndex(records), { durable: false });
    this.dirty = false;
  }
}

function matches(record: Record_, stat: StatKey): boolean {
  return record[0] === stat.ino && record[1] === stat.size && record[2] === stat.mtimeNs;
}

function encodeIndex(entries: Map<string, Record_>): Buffer {
  let bytes = HEADER_BYTES + CHECKSUM_BYTES;
  const paths: Buffer[] = [];
  for (const [path, record] of entries) {
    const encoded = Buffer.from(path, 'utf8');
    paths.push(encoded);
    bytes += 4 + encoded.length + 24 + 1;
    for (const hash of Object.values(record[3])) bytes += 2 + Buffer.byteLength(hash, 'latin1');
  }
  const out = Buffer.allocUnsafe(bytes);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(VERSION, MAGIC.length);
  out.writeUInt32LE(entries.size, MAGIC.length + 4);
  let offset = HEADER_BYTES;
  let index = 0;
  for (const record of entries.values()) {
    const path = paths[index++]!;
    offset = out.writeUInt32LE(path.length, offset);
    offset += path.copy(out, offset);
    offset = out.writeBigUInt64LE(record[0], offset);
    offset = out.writeBigUInt64LE(record[1], offset);
    offset = out.writeBigUInt64LE(record[2], offset);
    const hashes = Object.entries(record[3]) as Array<[HashAlgorithm, string]>;
    offset = out.writeUInt8(hashes.length, offset);
    for (const [algorithm, hash] of hashes) {
      offset = out.writeUInt8(ALGORITHM_CODES[algorithm], offset);
      offset = out.writeUInt8(hash.length, offset);
      offset += out.write(hash, offset, 'latin1');
    }
  }
  Buffer.from(digestBytes(out.subarray(0, offset), 'blake3'), 'hex').copy(out, offset);
  return out;
}

function emptyIndex(): Index {
  return { data: Buffer.alloc(0), entries: new Map() };
}

/** The record whose inode field starts at `offset` (already validated by decodeIndex). */
function decodeRecord(data: Buffer, offset: number): Record_ {
  const hashes: Partial<Record<HashAlgorithm, string>> = {};
  let cursor = offset + 25;
  for (let h = 0; h < data[offset + 24]!; h++) {
    const length = data[cursor + 1]!;
    hashes[ALGORITHM_BY_CODE.get(data[cursor]!)!] = data.toString('latin1', cursor + 2, cursor + 2 + length);
    cursor += 2 + length;
  }
  return [
    data.readBigUInt64LE(offset),
    data.readBigUInt64LE(offset + 8),
    data.readBigUInt64LE(offset + 16),
    hashes,
  ];
}

/**
 * Checks a whole index file and maps each path to its record's offset, or
 * returns undefined if the file is foreign, of another version, torn or
 * corrupt. Records are decoded on lookup (decodeRecord).
 */
function decodeIndex(data: Buffer): Index | undefined {
  if (data.length < HEADER_BYTES + CHECKSUM_BYTES) return undefined;
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (data.readUInt32LE(MAGIC.length) !== VERSION) return undefined;
  const bodyEnd = data.length - CHECKSUM_BYTES;
  const checksum = digestBytes(data.subarray(0, bodyEnd), 'blake3');
  if (checksum !== data.subarray(bodyEnd).toString('hex')) return undefined;
  const count = data.readUInt32LE(MAGIC.length + 4);
  const entries = new Map<string, Stored>();
  let offset = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bodyEnd) return undefined;
    const pathLength = data.readUInt32LE(offset);
    offset += 4;
    if (offset + pathLength + 25 > bodyEnd) return undefined;
    const path = data.toString('utf8', offset, offset + pathLength);
    offset += pathLength;
    const recordOffset = offset;
    const hashCount = data[offset + 24]!;
    offset += 25;
    for (let h = 0; h < hashCount; h++) {
      if (offset + 2 > bodyEnd || !ALGORITHM_BY_CODE.has(data[offset]!)) return undefined;
      offset += 2 + data[offset + 1]!;
      if (offset > bodyEnd) return undefined;
    }
    entries.set(path, recordOffset);
  }
  return offset === bodyEnd ? { data, entries } : undefined;
}

function msToNs(ms: number | undefined): bigint {
  return BigInt(Math.round((ms ?? DEFAULT_RACY_WINDOW_MS) * 1_000_000));
}

function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
