import { createReadStream, promises as fs, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAtomicWriteStream } from '@cairn/fs-atomic';
import { hashBuffer, hashStream, parseManifest, type ManifestEntry } from '@cairn/hash';
import { errnoCode, fsError, storeError } from './errors';
import { digestOf, isDirId, isObjectId, OBJECTS_FOLDER, objectPath } from './layout';

/** Files up to this size are read whole when stored; larger ones are streamed. */
export const WHOLE_READ_LIMIT = 8 * 1024 * 1024;

/** True when the object exists (and, if `size` is given, has that size: a truncated object counts as absent). */
export async function objectPresent(cacheDir: string, id: string, size?: number): Promise<boolean> {
  try {
    const stat = await fs.stat(objectPath(cacheDir, id));
    return stat.isFile() && (size === undefined || stat.size === size);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

/** objectPresent without a thread-pool round trip: for checking thousands of objects in a row. */
export function objectPresentSync(cacheDir: string, id: string, size?: number): boolean {
  try {
    const stat = statSync(objectPath(cacheDir, id), { throwIfNoEntry: false });
    return stat !== undefined && stat.isFile() && (size === undefined || stat.size === size);
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

/** A fresh temp name beside object `id` (dot-prefixed, `.tmp`: never listed as an object; gc removes old ones). */
export function objectTempPath(cacheDir: string, id: string): string {
  const target = objectPath(cacheDir, id);
  return join(dirname(target), `.${id.slice(2, 14)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Fan-out folders known to exist, so storing many small objects does not mkdir each time. */
const knownFolders = new Set<string>();

/**
 * Stores `bytes` as object `id` (whose digest the caller has checked):
 * a sibling temp file created read-only (0444), then renamed into place.
 * Idempotent. No fsync per object: `add` flushes the file system once before
 * it writes pointers (see syncStore in add.ts).
 */
async function writeObject(cacheDir: string, id: string, bytes: Uint8Array): Promise<void> {
  const target = objectPath(cacheDir, id);
  const folder = dirname(target);
  const temp = objectTempPath(cacheDir, id);
  for (let attempt = 0; ; attempt++) {
    if (!knownFolders.has(folder)) {
      await fs.mkdir(folder, { recursive: true });
      knownFolders.add(folder);
    }
    try {
      await fs.writeFile(temp, bytes, { flag: 'wx', mode: 0o444 });
      break;
    } catch (error) {
      // The folder may have been removed since we saw it: create it again once.
      knownFolders.delete(folder);
      if (errnoCode(error) !== 'ENOENT' || attempt > 0) throw error;
    }
  }
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Stores a manifest (the content of a `.dir` object). Returns false when it was already stored. */
export async function putManifest(cacheDir: string, id: string, manifest: Uint8Array): Promise<boolean> {
  if (!isDirId(id) || hashBuffer(manifest) !== digestOf(id)) {
    throw storeError('STORE_OBJECT_CORRUPT', `manifest bytes do not hash to ${id}`, { data: { id } });
  }
  if (await objectPresent(cacheDir, id, manifest.length)) return false;
  await writeObject(cacheDir, id, manifest);
  return true;
}

export function changedError(source: string, expected: string, actual: string): Error {
  return storeError('STORE_SOURCE_CHANGED', `${source} changed while it was being added`, {
    data: { path: source, expected, actual },
    hint: 'nothing was stored for it; run the command again once the file is no longer being written',
  });
}

/**
 * Copies `source` into the store as object `hash`. The bytes written are the
 * bytes hashed on the way in, so an object's name always matches its content
 * even when the source changes under us (that fails with STORE_SOURCE_CHANGED
 * and stores nothing). Returns false when the object was already stored.
 */
export async function putFile(
  cacheDir: string,
  source: string,
  hash: string,
  size: number,
  /** Ids listed in the cache just before: an id not in it needs no stat to know it is absent. */
  listed?: ReadonlySet<string>,
): Promise<boolean> {
  if ((!listed || listed.has(hash)) && (await objectPresent(cacheDir, hash, size))) return false;
  if (size <= WHOLE_READ_LIMIT) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(source);
    } catch (error) {
      throw fsError(error, source, 'read it');
    }
    const actual = hashBuffer(bytes);
    if (actual !== hash) throw changedError(source, hash, actual);
    await writeObject(cacheDir, hash, bytes);
    return true;
  }
  const pending = await createAtomicWriteStream(objectPath(cacheDir, hash), { mode: 0o444 });
  try {
    const tee = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
    const hashing = hashStream(tee);
    const input = createReadStream(source, { highWaterMark: 4 * 1024 * 1024 });
    for await (const chunk of input as AsyncIterable<Buffer>) {
      tee.write(chunk);
      if (!pending.stream.write(chunk))
        await new Promise<void>((resolve) => pending.stream.once('drain', () => resolve()));
    }
    tee.end();
    const actual = (await hashing).hash;
    if (actual !== hash) throw changedError(source, hash, actual);
    await pending.commit();
    return true;
  } catch (error) {
    await pending.abort();
    throw fsError(error, source, 'read it');
  }
}

/** Reads and parses a `.dir` object; checks that its bytes still hash to its id. */
export async function readManifestObject(cacheDir: string, id: string): Promise<ManifestEntry[]> {
  const file = objectPath(cacheDir, id);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      throw storeError('STORE_OBJECT_MISSING', `object ${id} is not in the cache (${file})`, {
        data: { id, file },
        hint: 'fetch it with `cairn pull`, or re-add the data',
      });
    }
    throw error;
  }
  if (hashBuffer(bytes) !== digestOf(id)) {
    throw storeError('STORE_OBJECT_CORRUPT', `object ${id} is corrupt (${file})`, {
      data: { id, file },
      hint: 'run `cairn verify --quarantine`, then re-add or pull the data',
    });
  }
  return parseManifest(bytes);
}

/** Every object id in the cache (skips temp files and anything that is not an object). */
export async function listObjectIds(cacheDir: string): Promise<string[]> {
  const base = join(cacheDir, OBJECTS_FOLDER);
  const fanout = await fs.readdir(base).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [] as string[];
    throw error;
  });
  const ids: string[] = [];
  await Promise.all(
    fanout
      .filter((name) => /^[0-9a-f]{2}$/.test(name))
      .map(async (prefix) => {
        const names = await fs.readdir(join(base, prefix)).catch(() => [] as string[]);
        for (const name of names) {
          const id = prefix + name;
          if (isObjectId(id)) ids.push(id);
        }
      }),
  );
  return ids.sort();
}

/** Temp files left in the cache by interrupted writes, with their age in ms. */
export async function listTempFiles(cacheDir: string): Promise<Array<{ file: string; ageMs: number }>> {
  const base = join(cacheDir, OBJECTS_FOLDER);
  const fanout = await fs.readdir(base).catch(() => [] as string[]);
  const found: Array<{ file: string; ageMs: number }> = [];
  const now = Date.now();
  for (const prefix of fanout) {
    const names = await fs.readdir(join(base, prefix)).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
      const file = join(base, prefix, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat) found.push({ file, ageMs: now - stat.mtimeMs });
    }
  }
  return found;
}
