import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { gitError } from './errors';
import { gitContext, isoGit, type Repository } from './repository';

/**
 * Small git objects and refs written without a working tree: the storage of
 * records that travel with `git push/fetch` of their refs (experiments under
 * `refs/cairn/exps/…`). Objects are written as git writes loose objects
 * (deflated, temp file then rename, so a crash never leaves a torn object);
 * refs are updated with git's own lock protocol (`<ref>.lock` created
 * exclusively, then renamed over the ref), so concurrent writers, Cairn's or
 * git's, never lose an update: a compare-and-swap either lands or reports
 * who won.
 */

const EMPTY_TREE_CONTENT = Buffer.alloc(0);
const LOCK_ATTEMPTS = 100;

function objectFormat(repository: Repository): void {
  const config = fs.readFileSync(join(repository.gitdir, 'config'), 'utf8');
  if (/objectformat\s*=\s*sha256/i.test(config)) {
    throw gitError(
      'GIT_UNSUPPORTED_REPOSITORY',
      `${repository.dir}: SHA-256 repositories are not supported for records`,
      { dir: repository.dir, objectFormat: 'sha256' },
      'use a SHA-1 repository (git init default)',
    );
  }
}

/** Writes one loose object atomically and returns its id; an object already present is left alone. */
export function writeLooseObject(
  repository: Repository,
  type: 'blob' | 'tree' | 'commit',
  content: Buffer,
): string {
  objectFormat(repository);
  const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]);
  const oid = createHash('sha1').update(raw).digest('hex');
  const file = join(repository.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  if (fs.existsSync(file)) return oid;
  fs.mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, deflateSync(raw), { mode: 0o444 });
  fs.renameSync(temp, file);
  return oid;
}

/** Who writes record commits: fixed, so a record's id depends on its content only. */
const RECORD_AUTHOR = 'Cairn <cairn@localhost>';

/**
 * Writes a parentless commit whose message is `subject`, a blank line and
 * `body` (a record's JSON), on the empty tree: one object per record, readable
 * with `git log --format=%b <ref>` and by `readRecordCommit`.
 */
export function writeRecordCommit(repository: Repository, subject: string, body: string, time: Date): string {
  if (subject.includes('\n')) {
    throw gitError('GIT_RECORD_INVALID', 'a record subject must be one line', { subject });
  }
  const tree = writeLooseObject(repository, 'tree', EMPTY_TREE_CONTENT);
  const seconds = Math.floor(time.getTime() / 1000);
  const signature = `${RECORD_AUTHOR} ${seconds} +0000`;
  const text = `tree ${tree}\nauthor ${signature}\ncommitter ${signature}\n\n${subject}\n\n${body}\n`;
  return writeLooseObject(repository, 'commit', Buffer.from(text, 'utf8'));
}

/**
 * A loose commit's text, read and inflated directly (an index rebuild reads
 * thousands: several times faster than a general object reader), checked
 * against its id; undefined when the object is packed or not a commit.
 */
function readLooseCommit(repository: Repository, oid: string): string | undefined {
  let raw: Buffer;
  try {
    raw = inflateSync(fs.readFileSync(join(repository.gitdir, 'objects', oid.slice(0, 2), oid.slice(2))));
  } catch {
    return undefined;
  }
  const header = raw.indexOf(0);
  if (!raw.subarray(0, header).toString('latin1').startsWith('commit ')) return undefined;
  if (createHash('sha1').update(raw).digest('hex') !== oid) return undefined;
  return raw.subarray(header + 1).toString('utf8');
}

/** The message body (everything after the subject line) of a record commit, packed or loose. */
export async function readRecordCommit(
  repository: Repository,
  oid: string,
  cache: object = {},
): Promise<string> {
  let message: string;
  const loose = /^[0-9a-f]{40}$/.test(oid) ? readLooseCommit(repository, oid) : undefined;
  if (loose !== undefined) {
    const headerEnd = loose.indexOf('\n\n');
    message = headerEnd < 0 ? '' : loose.slice(headerEnd + 2);
  } else {
    const git = await isoGit();
    message = (await git.readCommit({ ...gitContext(repository, cache), oid })).commit.message;
  }
  const blank = message.indexOf('\n\n');
  return blank < 0 ? '' : message.slice(blank + 2);
}

const REF_NAME = /^refs\/(?:[A-Za-z0-9_.@+-]+\/)*[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]*$/;

function assertRefName(ref: string): void {
  if (!REF_NAME.test(ref) || ref.includes('..') || ref.endsWith('.lock') || ref.includes('/.')) {
    throw gitError(
      'GIT_REF_INVALID',
      `${JSON.stringify(ref)} is not a ref name Cairn writes`,
      { ref },
      'ref names are refs/<segments> of letters, digits and _ . @ + -',
    );
  }
}

function packedRefs(repository: Repository): Map<string, string> {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = fs.readFileSync(join(repository.gitdir, 'packed-refs'), 'utf8');
  } catch {
    return refs;
  }
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
    if (match) refs.set(match[2]!, match[1]!);
  }
  return refs;
}

function readLooseRef(repository: Repository, ref: string): string | undefined {
  try {
    const value = fs.readFileSync(join(repository.gitdir, ref), 'utf8').trim();
    return /^[0-9a-f]{40}$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The object a ref names (loose or packed), or undefined when the ref does not exist. */
export function readRef(repository: Repository, ref: string): string | undefined {
  assertRefName(ref);
  return readLooseRef(repository, ref) ?? packedRefs(repository).get(ref);
}

/**
 * What a listing of loose refs saw: each folder's mtime, the loose refs it
 * read, and when. Handed back to the next listing, it lets folders whose
 * mtime has not changed be trusted without reading their ref files: git and
 * Cairn write every ref by renaming a lock file over it, which changes the
 * folder's mtime. A folder changed within a second of the listing (where a
 * coarse clock could hide a second change) is always read again.
 */
export interface RefSnapshot {
  taken: number;
  stamps: Record<string, number>;
  loose: Record<string, string>;
}

const RACY_MS = 1000;

/**
 * Every ref under `prefix` (e.g. `refs/cairn/exps/`) with the object it names,
 * loose refs winning over packed ones as in git, and the snapshot to pass to
 * the next call. Reads ref files directly, and with a `previous` snapshot
 * only those of folders that changed since (`foldersRead` counts them: zero
 * means the previous snapshot still describes every folder).
 */
export function listRefsSnapshot(
  repository: Repository,
  prefix: string,
  previous?: RefSnapshot,
): { refs: Map<string, string>; snapshot: RefSnapshot; foldersRead: number } {
  const snapshot: RefSnapshot = { taken: Date.now(), stamps: {}, loose: {} };
  let foldersRead = 0;
  const refs = new Map<string, string>();
  for (const [name, oid] of packedRefs(repository)) if (name.startsWith(prefix)) refs.set(name, oid);
  const walk = (relative: string) => {
    const folder = join(repository.gitdir, relative);
    let entries: fs.Dirent[];
    let mtime: number;
    try {
      mtime = fs.statSync(folder).mtimeMs;
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    snapshot.stamps[relative] = mtime;
    const trusted =
      previous !== undefined && previous.stamps[relative] === mtime && mtime < previous.taken - RACY_MS;
    if (!trusted) foldersRead++;
    for (const entry of entries) {
      const name = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile() && !entry.name.endsWith('.lock')) {
        const oid = trusted && name in previous.loose ? previous.loose[name] : readLooseRef(repository, name);
        if (oid) snapshot.loose[name] = oid;
        if (oid && name.startsWith(prefix)) refs.set(name, oid);
      }
    }
  };
  walk(prefix.replace(/\/+$/, ''));
  return { refs, snapshot, foldersRead };
}

/** Every ref under `prefix` with the object it names (listRefsSnapshot without a previous snapshot). */
export function listRefsUnder(repository: Repository, prefix: string): Map<string, string> {
  return listRefsSnapshot(repository, prefix).refs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withFileLock<T>(lockFile: string, what: string, work: () => T | Promise<T>): Promise<T> {
  fs.mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    let handle: number;
    try {
      handle = fs.openSync(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= LOCK_ATTEMPTS) {
        throw gitError(
          'GIT_REF_LOCKED',
          `${what}: ${lockFile} is held by another writer`,
          { lock: lockFile },
          'another git or cairn process is updating it; if none is running, remove the stale .lock file',
          error,
        );
      }
      await sleep(5 + Math.floor(Math.random() * 20));
      continue;
    }
    try {
      fs.closeSync(handle);
      return await work();
    } finally {
      fs.rmSync(lockFile, { force: true });
    }
  }
}

/**
 * Points `ref` at `newOid` if it currently names `expected` (undefined: the
 * ref must not exist). Returns false, changing nothing, when another writer
 * got there first; waits while another writer holds the ref's lock.
 */
export async function compareAndSwapRef(
  repository: Repository,
  ref: string,
  newOid: string,
  expected: string | undefined,
): Promise<boolean> {
  assertRefName(ref);
  if (!/^[0-9a-f]{40}$/.test(newOid)) {
    throw gitError('GIT_REF_INVALID', `${ref}: ${newOid} is not an object id`, { ref, oid: newOid });
  }
  const file = join(repository.gitdir, ref);
  return withFileLock(`${file}.lock`, ref, () => {
    if (readRef(repository, ref) !== expected) return false;
    // Written and synced beside the ref, then renamed over it: a crash leaves the old value or the new, never a torn ref.
    const staged = `${file}.lock.${process.pid}-${randomBytes(4).toString('hex')}`;
    const handle = fs.openSync(staged, 'w');
    try {
      fs.writeSync(handle, `${newOid}\n`);
      fs.fsyncSync(handle);
    } finally {
      fs.closeSync(handle);
    }
    fs.renameSync(staged, file);
    return true;
  });
}

/**
 * Deletes `ref` if it names `expected`; false when it names something else or
 * nothing. A packed ref is removed from `packed-refs` under git's lock too.
 */
export async function deleteRefIf(repository: Repository, ref: string, expected: string): Promise<boolean> {
  assertRefName(ref);
  const file = join(repository.gitdir, ref);
  return withFileLock(`${file}.lock`, ref, async () => {
    if (readRef(repository, ref) !== expected) return false;
    fs.rmSync(file, { force: true });
    if (packedRefs(repository).has(ref)) {
      const packed = join(repository.gitdir, 'packed-refs');
      await withFileLock(`${packed}.lock`, 'packed-refs', () => {
        const kept: string[] = [];
        let skipPeeled = false;
        for (const line of fs.readFileSync(packed, 'utf8').split('\n')) {
          if (skipPeeled && line.startsWith('^')) continue;
          skipPeeled = line.endsWith(` ${ref}`);
          if (!skipPeeled) kept.push(line);
        }
        const staged = `${packed}.${process.pid}-${randomBytes(4).toString('hex')}`;
        fs.writeFileSync(staged, kept.join('\n'));
        fs.renameSync(staged, packed);
      });
    }
    return true;
  });
}
