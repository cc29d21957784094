import { promises as fs, type BigIntStats, type Dirent } from 'node:fs';
import { join, sep } from 'node:path';
import { CairnError, cairnError } from '@cairn/errors';
import { assertAlgorithm, digestBytes, type HashAlgorithm } from './backend';
import { fileError } from './errors';
import { hashFile, type HashResult } from './hash-file';
import { manifestBytes, sortEntries, type ManifestEntry } from './manifest';
import { defaultConcurrency, hashOnWorkers } from './pool';
import type { StatCache, StatKey } from './stat-cache';

export interface DirectoryHash {
  /** `<hex>.dir`: the hash of `manifest`. */
  hash: string;
  /** Total bytes of all files. */
  size: number;
  nfiles: number;
  /** Sorted by the UTF-8 bytes of `path`. */
  entries: ManifestEntry[];
  /** The canonical bytes hashed (see manifestBytes). */
  manifest: Buffer;
}

export interface HashFilesOptions {
  algorithm?: HashAlgorithm;
  statCache?: StatCache;
  /** Worker threads to use; default os.availableParallelism(). 1 hashes in the calling thread. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface HashDirectoryOptions extends HashFilesOptions {
  /** Called with each file's and directory's relative POSIX path; true skips it (a directory is not descended). */
  ignore?: (relativePath: string) => boolean;
}

/** Below this many files, starting workers costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 16;

interface FileJob {
  /** Path to read. */
  path: string;
  /** stat (follow symlinks) rather than lstat (a regular file is expected). */
  follow: boolean;
}

/** Per-file results as columns, in input order (no object per file: they add up at 100,000 files). */
interface JobResults {
  hashes: string[];
  sizes: number[];
  modes: number[];
}

/**
 * Stats and hashes files, answering from the stat cache where the stat still
 * matches, in parallel on worker threads (each worker stats its own files),
 * and records what it hashed.
 */
async function hashJobs(jobs: FileJob[], options: HashFilesOptions): Promise<JobResults> {
  const algorithm = assertAlgorithm(options.algorithm ?? 'blake3');
  const cache = options.statCache;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultConcurrency()));
  const total = jobs.length;
  const results: JobResults = { hashes: new Array(total), sizes: new Array(total), modes: new Array(total) };
  let done = 0;
  const progress = (count: number) => {
    if (count === 0) return;
    done += count;
    options.onProgress?.(done, total);
  };
  // Every stat below is taken after this instant, so it is a safe "hashed at" for the racy check.
  const startedAt = cache?.now();
  const remember = (path: string, hash: string, size: number, stat: StatKey) => {
    if (cache && BigInt(size) === stat.size) cache.remember(path, stat, algorithm, hash, startedAt);
  };

  if (concurrency > 1 && jobs.length >= MIN_FILES_FOR_WORKERS) {
    await hashOnWorkers(
      jobs.map((job) => ({
        path: job.path,
        follow: job.follow,
        cached: cache?.entryFor(job.path, algorithm),
      })),
      algorithm,
      concurrency,
      (batch) => {
        batch.indexes.forEach((index, i) => {
          const hash = batch.hashes[i]!;
          const size = batch.sizes[i]!;
          results.hashes[index] = hash;
          results.sizes[index] = size;
          results.modes[index] = batch.modes[i]!;
          if (cache && batch.hits[i] === 0) {
            remember(jobs[index]!.path, hash, size, {
              ino: batch.inos[i]!,
              size: batch.statSizes[i]!,
              mtimeNs: batch.mtimesNs[i]!,
            });
          }
        });
        progress(batch.indexes.length);
      },
    );
    return results;
  }
  for (const [index, job] of jobs.entries()) {
    const stat = await statOrThrow(job.path, job.follow);
    if (stat.isDirectory())
      throw fileError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), job.path);
    if (!stat.isFile()) throw specialFile(job.path);
    results.modes[index] = Number(stat.mode);
    const cached = cache?.lookup(job.path, stat, algorithm);
    if (cached !== undefined) {
      results.hashes[index] = cached;
      results.sizes[index] = Number(stat.size);
    } else {
      const { hash, size } = await hashFile(job.path, { algorithm });
      results.hashes[index] = hash;
      results.sizes[index] = size;
      remember(job.path, hash, size, stat);
    }
    progress(1);
  }
  return results;
}

async function statOrThrow(path: string, follow = true): Promise<BigIntStats> {
  try {
    return follow ? await fs.stat(path, { bigint: true }) : await fs.lstat(path, { bigint: true });
  } catch (error) {
    throw fileError(error, path);
  }
}

/**
 * Hashes many files (symlinks followed), in parallel on worker threads with
 * small files batched per message; a stat cache, if given, skips unchanged
 * files and learns new ones. Results are in input order.
 */
export async function hashFiles(paths: string[], options: HashFilesOptions = {}): Promise<HashResult[]> {
  const { hashes, sizes } = await hashJobs(
    paths.map((path) => ({ path, follow: true })),
    options,
  );
  return hashes.map((hash, index) => ({ hash, size: sizes[index]! }));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file of a directory being hashed. */
export interface DirectoryFile {
  /** Relative POSIX path under the directory. */
  relative: string;
  /** What to read: the file itself, or for a symlink its resolved target inside the tree. */
  source: string;
}

function specialFile(path: string): CairnError {
  return cairnError(
    'HASH_SPECIAL_FILE',
    `${path}: is a socket, FIFO or device; only regular files, directories and symlinks can be hashed`,
    {
      data: { path },
      hint: 'move it out of the directory or skip it with ignore',
    },
  );
}

/** Runs `fn` over items with at most `limit` in flight. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/**
 * Lists every regular file under `root` (already a real path), applying the symlink
 * policy: a link to a regular file inside the tree counts as that file (under
 * the link's own path); a link leaving the tree, dangling, looping, or
 * pointing at a directory is an error naming it. Sockets, FIFOs and devices
 * are errors too. Empty directories contribute nothing (like git and DVC).
 */
async function walk(root: string, ignore?: (relativePath: string) => boolean): Promise<DirectoryFile[]> {
  const files: DirectoryFile[] = [];
  const candidates: Array<{ relative: string; absolute: string; dirent: Dirent<Buffer> }> = [];
  let level: Array<{ relative: string; absolute: string }> = [{ relative: '', absolute: root }];
  while (level.length > 0) {
    const nextLevel: Array<{ relative: string; absolute: string }> = [];
    await forEachLimit(level, 32, async (dir) => {
      let dirents: Dirent<Buffer>[];
      try {
        dirents = await fs.readdir(dir.absolute, { withFileTypes: true, encoding: 'buffer' });
      } catch (error) {
        throw fileError(error, dir.absolute);
      }
      for (const dirent of dirents) {
        let name: string;
        try {
          name = utf8.decode(dirent.name);
        } catch {
          const where = join(dir.absolute, dirent.name.toString('latin1'));
          throw cairnError('HASH_PATH_NOT_UTF8', `${where}: file name is not valid UTF-8`, {
            data: { path: where },
            hint: 'rename it: manifests store paths as UTF-8',
          });
        }
        const relative = dir.relative === '' ? name : `${dir.relative}/${name}`;
        if (ignore?.(relative)) continue;
        const absolute = `${dir.absolute}${sep}${name}`; // names never hold a separator; faster than join
        if (dirent.isDirectory()) nextLevel.push({ relative, absolute });
        else candidates.push({ relative, absolute, dirent });
      }
    });
    level = nextLevel;
  }
  const prefix = root.endsWith(sep) ? root : root + sep;
  const links = candidates.filter(({ dirent }) => dirent.isSymbolicLink());
  for (const { relative, absolute, dirent } of candidates) {
    if (dirent.isFile()) files.push({ relative, source: absolute });
    else if (!dirent.isSymbolicLink()) throw specialFile(absolute);
  }
  await forEachLimit(links, 16, async ({ relative, absolute }) => {
    let target: string;
    try {
      target = await fs.realpath(absolute);
    } catch (error) {
      throw cairnError('HASH_SYMLINK_DANGLING', `${absolute}: symlink is dangling or loops`, {
        data: { path: absolute, errno: (error as NodeJS.ErrnoException).code ?? null },
        hint: 'fix or remove the link',
        cause: error,
      });
    }
    if (!target.startsWith(prefix)) {
      throw cairnError(
        'HASH_SYMLINK_OUTSIDE_TREE',
        `${absolute}: symlink points outside the directory being hashed (${target})`,
        {
          data: { path: absolute, target },
          hint: 'links are never followed out of the tree: copy the target in, or hash it separately',
        },
      );
    }
    const stat = await statOrThrow(target);
    if (stat.isDirectory()) {
      throw cairnError('HASH_SYMLINK_TO_DIRECTORY', `${absolute}: symlink to a directory (${target})`, {
        data: { path: absolute, target },
        hint: 'only links to files are hashed (as the file content); replace the link by the directory or remove it',
      });
    }
    if (!stat.isFile()) throw specialFile(absolute);
    files.push({ relative, source: target });
  });
  return files;
}

/**
 * Every file a directory's hash covers (see walk for the symlink policy),
 * unsorted, with the directory's real path: the first half of
 * hashDirectory, for callers that read the files themselves (add hashes
 * and stores each new file in one read) and then call directoryHashOf.
 */
export async function listDirectoryFiles(
  dir: string,
  ignore?: (relativePath: string) => boolean,
): Promise<{ root: string; files: DirectoryFile[] }> {
  let root: string;
  try {
    root = await fs.realpath(dir);
  } catch (error) {
    throw fileError(error, dir);
  }
  const rootStat = await statOrThrow(root);
  if (!rootStat.isDirectory()) {
    throw cairnError('HASH_NOT_A_DIRECTORY', `${dir}: not a directory`, {
      data: { path: dir },
      hint: 'hash files with hashFile',
    });
  }
  return { root, files: await walk(root, ignore) };
}

/**
 * A directory's hash from its entries: the canonical sorted manifest of
 * (relative POSIX path, hash, size, executable bit), whose hash + `.dir` is
 * the directory's hash.
 */
export function directoryHashOf(
  entries: ManifestEntry[],
  algorithm: HashAlgorithm = 'blake3',
): DirectoryHash {
  const sorted = sortEntries(entries);
  const manifest = manifestBytes(sorted, algorithm);
  return {
    hash: `${digestBytes(manifest, algorithm)}.dir`,
    size: sorted.reduce((sum, entry) => sum + entry.size, 0),
    nfiles: sorted.length,
    entries: sorted,
    manifest,
  };
}

/**
 * Hashes a directory: every file under it (see walk for the symlink policy),
 * then its manifest (directoryHashOf). The result does not depend on readdir
 * order, the absolute location or timestamps. In md5 mode it equals DVC's
 * `.dir` hash (which ignores size and mode).
 */
export async function hashDirectory(dir: string, options: HashDirectoryOptions = {}): Promise<DirectoryHash> {
  const algorithm = assertAlgorithm(options.algorithm ?? 'blake3');
  const { files } = await listDirectoryFiles(dir, options.ignore);
  const results = await hashJobs(
    files.map((file) => ({ path: file.source, follow: false })),
    { ...options, algorithm },
  );
  return directoryHashOf(
    files.map((file, index) => ({
      path: file.relative,
      hash: results.hashes[index]!,
      size: results.sizes[index]!,
      // Like git: the owner's execute bit decides.
      executable: (results.modes[index]! & 0o100) !== 0,
    })),
    algorithm,
  );
}
