import { promises as fs, type BigIntStats } from 'node:fs';

/** The part of a (bigint) stat the cache keys on. */
export type StatKey = Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>;
import { writeFileAtomic } from '@cairn/fs-atomic';
import type { HashAlgorithm } from './backend';

/**
 * How close to "now" an mtime must be for its hash to be distrusted. A file
 * written within the same timestamp tick as the hash could change again
 * without its mtime moving (the racy-git problem); file-system clocks are
 * coarse (a jiffy on Linux, 1–2 s on some file systems), so we keep a margin.
 */
export const DEFAULT_RACY_WINDOW_MS = 2_000;

const FORMAT = 'cairn-stat-cache';
const VERSION = 1;

/** [inode, size, mtime ns, hashes by algorithm] — numbers as decimal strings, they are 64-bit. */
type Record_ = [ino: string, size: string, mtimeNs: string, hashes: Partial<Record<HashAlgorithm, string>>];

interface CacheFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  entries: Record<string, Record_>;
}

/**
 * Remembers file hashes by (path, inode, size, mtime in ns) so unchanged files
 * are never rehashed. It only ever stores hashes it can trust: an entry whose
 * mtime is not strictly older than (time of hashing − racy window) is never
 * recorded, so a file modified again within the same mtime tick is rehashed.
 * Persisted with an atomic rename; an unreadable or foreign file is treated as
 * an empty cache (it is only a cache).
 */
export class StatCache {
  private readonly entries: Map<string, Record_>;
  private dirty = false;

  private constructor(
    readonly file: string | undefined,
    entries: Map<string, Record_>,
    private readonly racyWindowNs: bigint,
    private readonly clockNs: () => bigint,
  ) {
    this.entries = entries;
  }

  /** Loads `file` if it exists; `save()` writes back to it. */
  static async load(
    file: string,
    options: { racyWindowMs?: number; clock?: () => bigint } = {},
  ): Promise<StatCache> {
    const entries = new Map<string, Record_>();
    try {
      const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<CacheFile>;
      if (
        parsed.format === FORMAT &&
        parsed.version === VERSION &&
        parsed.entries &&
        typeof parsed.entries === 'object'
      ) {
        for (const [path, record] of Object.entries(parsed.entries)) {
          if (Array.isArray(record) && record.length === 4) entries.set(path, record);
        }
      }
    } catch {
      /* missing or unreadable: start empty */
    }
    return new StatCache(file, entries, msToNs(options.racyWindowMs), options.clock ?? wallClockNs);
  }

  /** A cache that lives only in memory (save() is a no-op). */
  static inMemory(options: { racyWindowMs?: number; clock?: () => bigint } = {}): StatCache {
    return new StatCache(undefined, new Map(), msToNs(options.racyWindowMs), options.clock ?? wallClockNs);
  }

  /** The clock remember() compares mtimes against, in ns since the epoch. */
  now(): bigint {
    return this.clockNs();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The remembered hash if path, inode, size and mtime (ns) all still match. */
  lookup(path: string, stat: StatKey, algorithm: HashAlgorithm): string | undefined {
    const record = this.entries.get(path);
    if (!record || !matches(record, stat)) return undefined;
    return record[3][algorithm];
  }

  /** The raw entry for a worker to check itself: [inode, size, mtime ns, hash] as strings. */
  entryFor(path: string, algorithm: HashAlgorithm): [string, string, string, string] | undefined {
    const record = this.entries.get(path);
    const hash = record?.[3][algorithm];
    return record && hash !== undefined ? [record[0], record[1], record[2], hash] : undefined;
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
    const takenAt = statTakenAtNs ?? this.clockNs();
    if (stat.mtimeNs >= takenAt - this.racyWindowNs) {
      // Too fresh to trust; also drop an older entry for this path.
      if (this.entries.delete(path)) this.dirty = true;
      return false;
    }
    const existing = this.entries.get(path);
    const hashes = existing && matches(existing, stat) ? existing[3] : {};
    if (hashes[algorithm] === hash) return true;
    this.entries.set(path, [
      stat.ino.toString(),
      stat.size.toString(),
      stat.mtimeNs.toString(),
      { ...hashes, [algorithm]: hash },
    ]);
    this.dirty = true;
    return true;
  }

  forget(path: string): void {
    if (this.entries.delete(path)) this.dirty = true;
  }

  /** Writes the cache atomically (temp file + rename) if anything changed. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    const body: CacheFile = { format: FORMAT, version: VERSION, entries: Object.fromEntries(this.entries) };
    await writeFileAtomic(this.file, JSON.stringify(body), { durable: false });
    this.dirty = false;
  }
}

function matches(record: Record_, stat: StatKey): boolean {
  return (
    record[0] === stat.ino.toString() &&
    record[1] === stat.size.toString() &&
    record[2] === stat.mtimeNs.toString()
  );
}

function msToNs(ms: number | undefined): bigint {
  return BigInt(Math.round((ms ?? DEFAULT_RACY_WINDOW_MS) * 1_000_000));
}

function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
