import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareUtf8,
  hashBuffer,
  manifestBytes,
  type DirectoryHash,
  type ManifestEntry,
  type StatCache,
} from '@cairn/hash';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The no-op fast path of status and add for a tracked folder: walk it synchronously
 * and answer every file from the stat cache. Returns undefined as soon as
 * anything needs real work (a cache miss, a symlink, a special file, a name
 * that is not UTF-8), and the caller falls back to hashDirectory, whose
 * rules this mirrors: same stat-cache keys (real path of the folder + the
 * relative path), same entries (relative POSIX path, hash, size, owner's
 * execute bit), same manifest bytes.
 */
export function cachedDirectoryHash(dir: string, statCache: StatCache): DirectoryHash | undefined {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return undefined;
  }
  const entries: ManifestEntry[] = [];
  const pending: Array<{ absolute: string; relative: string }> = [{ absolute: root, relative: '' }];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let names: Buffer[];
    try {
      names = readdirSync(folder.absolute, { encoding: 'buffer' });
    } catch {
      return undefined;
    }
    for (const raw of names) {
      let name: string;
      try {
        name = utf8.decode(raw);
      } catch {
        return undefined;
      }
      const absolute = join(folder.absolute, name);
      const relative = folder.relative === '' ? name : `${folder.relative}/${name}`;
      const stat = lstatSync(absolute, { bigint: true, throwIfNoEntry: false });
      if (!stat) return undefined;
      if (stat.isDirectory()) {
        pending.push({ absolute, relative });
        continue;
      }
      if (!stat.isFile()) return undefined;
      const hash = statCache.lookup(absolute, stat, 'blake3');
      if (hash === undefined) return undefined;
      entries.push({
        path: relative,
        hash,
        size: Number(stat.size),
        executable: (stat.mode & 0o100n) !== 0n,
      });
    }
  }
  entries.sort((a, b) => compareUtf8(a.path, b.path));
  const manifest = manifestBytes(entries);
  return {
    hash: `${hashBuffer(manifest)}.dir`,
    size: entries.reduce((sum, entry) => sum + entry.size, 0),
    nfiles: entries.length,
    entries,
    manifest,
  };
}
