import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBuffer, hashDirectory, listDirectoryFiles, StatCache } from '@cairn/hash';
import { cleanup, tempDir, writeTree } from '../test/helpers';
import { add } from './add';
import { loadLayout } from './config';
import { cachedDirectoryHash, snapshotOfRead, type ReadFolder } from './fast-status';
import { gc } from './gc';
import { checkSnapshot, msFromNs, saveSnapshot, snapshotFile } from './folder-snapshot';
import { objectPath, OBJECTS_FOLDER } from './layout';
import { status } from './status';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(cleanup));

/** A clock 10 s ahead and no racy window: everything written now is old enough to trust. */
const trustingCache = () =>
  StatCache.inMemory({ racyWindowMs: 0, clock: () => BigInt(Date.now() + 10_000) * 1_000_000n });

/** Sets every folder's and file's times under `dir` an hour back, as if written long ago. */
function age(dir: string): void {
  const past = new Date(Date.now() - 3_600_000);
  const visit = (path: string) => {
    if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    utimesSync(path, past, past);
  };
  visit(dir);
}

/** A folder with nested files, an executable and an empty sub-folder. */
function sampleFolder(): { dir: string; data: string } {
  const dir = tempDir('cairn-snapshot-');
  dirs.push(dir);
  const data = join(dir, 'data');
  writeTree(data, 40, 3);
  writeFileSync(join(data, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(data, 'run.sh'), 0o755);
  mkdirSync(join(data, 'empty'));
  return { dir, data };
}

/** What add's one read leaves for snapshotOfRead: the files and, as their fstats, an lstat of each. */
async function readFolder(data: string, filesTrustedBefore: bigint): Promise<ReadFolder> {
  const { root, files } = await listDirectoryFiles(data);
  const stats = files.map((file) => {
    const stat = lstatSync(file.source, { bigint: true });
    return { ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs, mode: Number(stat.mode) };
  });
  return { root, files, stats, filesTrustedBefore };
}

/**
 * The sample folder and its snapshot saved, taken as status takes it (a walk
 * answered by the stat cache) or as add takes it (from the stats its one read
 * of the files used).
 */
async function snapshotted(
  how: 'walk' | 'read' = 'walk',
): Promise<{ dir: string; data: string; snapshots: string; hash: string }> {
  const { dir, data } = sampleFolder();
  const cache = trustingCache();
  const directory = await hashDirectory(data, { statCache: cache });
  const snapshot =
    how === 'walk'
      ? (() => {
          const walked = cachedDirectoryHash(data, cache)!;
          expect(walked.walk).toBeDefined();
          return {
            root: walked.root,
            hash: directory.hash,
            size: walked.size,
            nfiles: walked.nfiles,
            walk: walked.walk!,
          };
        })()
      : snapshotOfRead(await readFolder(data, cache.trustedBefore()), directory, cache);
  expect(snapshot).toBeDefined();
  const snapshots = join(dir, 'snapshots');
  await saveSnapshot(snapshots, snapshot!);
  return { dir, data, snapshots, hash: directory.hash };
}

describe('folder snapshots (the no-op fast path of status and add)', () => {
  it('convert a BigInt stat to the same mtimeMs as a plain lstat, to the last bit', () => {
    const dir = tempDir('cairn-snapshot-');
    dirs.push(dir);
    // Odd nanoseconds, whole seconds, before 1970 and far ahead.
    const stamps = [
      '2026-01-02 03:04:05.123456789',
      '2001-09-09 01:46:40',
      '1969-12-31 23:59:59.5',
      '2200-05-06 07:08:09.987654321',
    ];
    stamps.forEach((stamp, index) => {
      const file = join(dir, `f${index}`);
      writeFileSync(file, 'x');
      execFileSync('touch', ['-m', '-d', stamp, file]);
      expect(msFromNs(lstatSync(file, { bigint: true }).mtimeNs)).toBe(lstatSync(file).mtimeMs);
    });
  });

  it('answer with the hash while nothing changed', async () => {
    const { data, snapshots, hash } = await snapshotted();
    const match = await checkSnapshot(snapshots, data);
    expect(match?.hash).toBe(hash);
    expect(match?.nfiles).toBe(41);
  });

  it('split a large folder with a worker thread, which sees changes in its part too', async () => {
    const { data, snapshots, hash } = await snapshotted();
    for (const rowsHere of [0, 20]) {
      expect((await checkSnapshot(snapshots, data, { rowsHere }))?.hash, `rows here: ${rowsHere}`).toBe(hash);
    }
    // The worker checks every row: it alone can see the change.
    writeFileSync(join(data, 'part-0/group-0/file-0.bin'), 'changed');
    expect(await checkSnapshot(snapshots, data, { rowsHere: 0 })).toBeUndefined();
  });

  const changes: Array<[string, (data: string) => void]> = [
    ['a file rewritten', (data) => writeFileSync(join(data, 'part-1/group-0/file-1.bin'), 'other bytes')],
    ['a file made executable', (data) => chmodSync(join(data, 'part-2/group-0/file-2.bin'), 0o755)],
    ['a file added in a nested folder', (data) => writeFileSync(join(data, 'part-3/group-0/new.bin'), 'n')],
    ['a file added in an empty folder', (data) => writeFileSync(join(data, 'empty/new.bin'), 'n')],
    ['a file removed', (data) => rmSync(join(data, 'part-4/group-0/file-4.bin'))],
    ['a file renamed', (data) => renameSync(join(data, 'run.sh'), join(data, 'run2.sh'))],
    [
      'a file replaced by a symlink',
      (data) => {
        rmSync(join(data, 'run.sh'));
        symlinkSync('part-1/group-0/file-1.bin', join(data, 'run.sh'));
      },
    ],
    ['a folder added', (data) => mkdirSync(join(data, 'part-5/more'))],
  ];
  for (const how of ['walk', 'read'] as const) {
    it(`taken from a ${how} answer with the hash while nothing changed`, async () => {
      const { data, snapshots, hash } = await snapshotted(how);
      expect((await checkSnapshot(snapshots, data))?.hash).toBe(hash);
    });
    for (const [name, change] of changes) {
      it(`taken from a ${how} miss after ${name}`, async () => {
        const { data, snapshots } = await snapshotted(how);
        change(data);
        expect(await checkSnapshot(snapshots, data)).toBeUndefined();
      });
    }
  }

  describe('taken from what add read', () => {
    const trusting = trustingCache();
    const past = trusting.trustedBefore();
    async function attempt(data: string, edit?: (read: ReadFolder) => void) {
      const directory = await hashDirectory(data);
      const read = await readFolder(data, past);
      edit?.(read);
      return snapshotOfRead(read, directory, trusting);
    }

    it('are not taken when the folder no longer holds exactly the files read', async () => {
      for (const [name, change] of changes) {
        const { data } = sampleFolder();
        const directory = await hashDirectory(data);
        const read = await readFolder(data, past);
        change(data);
        const snapshot = snapshotOfRead(read, directory, trusting);
        // Edits inside a file are the rows' business (checked above), not the listing's; an
        // empty folder is in no manifest, so the snapshot simply holds its row.
        if (['a file rewritten', 'a file made executable', 'a folder added'].includes(name))
          expect(snapshot, name).toBeDefined();
        else expect(snapshot, name).toBeUndefined();
      }
    });

    it('are not taken with a file that had no usable stat, a file read through a symlink, or rows too fresh', async () => {
      const { data } = sampleFolder();
      expect(await attempt(data)).toBeDefined();
      expect(await attempt(data, (read) => (read.stats[3] = undefined)), 'no stat').toBeUndefined();
      expect(
        await attempt(
          data,
          (read) => (read.files[0] = { ...read.files[0]!, source: join(data, 'elsewhere', 'target.bin') }),
        ),
        'symlink',
      ).toBeUndefined();
      // A file modified within the racy window before the reads began.
      const fresh = await attempt(data, (read) => (read.filesTrustedBefore = read.stats[5]!.mtimeNs));
      expect(fresh, 'fresh file').toBeUndefined();
      // A folder modified within the racy window of now.
      const strict = StatCache.inMemory({ racyWindowMs: 3_600_000 });
      const directory = await hashDirectory(data);
      expect(snapshotOfRead(await readFolder(data, past), directory, strict), 'fresh folder').toBeUndefined();
    });
  });

  it('never trust a torn or corrupted snapshot file', async () => {
    const { data, snapshots } = await snapshotted();
    const file = snapshotFile(snapshots, (await checkSnapshot(snapshots, data))!.root);
    const good = readFileSync(file);
    for (const cut of [0, 7, 12, 40, good.length >> 1, good.length - 65, good.length - 1]) {
      writeFileSync(file, good.subarray(0, cut));
      expect(await checkSnapshot(snapshots, data), `torn at ${cut}`).toBeUndefined();
    }
    for (const at of [9, 30, good.length >> 1, good.length - 2]) {
      const flipped = Buffer.from(good);
      flipped[at]! ^= 0x01;
      writeFileSync(file, flipped);
      expect(await checkSnapshot(snapshots, data), `bit flipped at ${at}`).toBeUndefined();
    }
    writeFileSync(file, good);
    expect(await checkSnapshot(snapshots, data)).toBeDefined();
  });

  it('never trust rows that overrun the snapshot, even under a valid checksum', async () => {
    const { data, snapshots } = await snapshotted();
    const file = snapshotFile(snapshots, (await checkSnapshot(snapshots, data))!.root);
    const body = readFileSync(file).subarray(0, -64);
    // A file row's name length, found by its name, made to run past the end.
    const at = body.lastIndexOf('run.sh') - 4;
    expect(body.readUInt32LE(at)).toBe('run.sh'.length);
    for (const nameBytes of [0xffff_fff0, body.length]) {
      const bad = Buffer.from(body);
      bad.writeUInt32LE(nameBytes, at);
      writeFileSync(file, Buffer.concat([bad, Buffer.from(hashBuffer(bad), 'latin1')]));
      // Checked here, on the worker, and split between both.
      for (const rowsHere of [41, 0, 20]) {
        expect(
          await checkSnapshot(snapshots, data, { rowsHere }),
          `${nameBytes}, ${rowsHere} here`,
        ).toBeUndefined();
      }
    }
  });

  it('are not taken of a folder changed within the racy window', async () => {
    const dir = tempDir('cairn-snapshot-');
    dirs.push(dir);
    const data = join(dir, 'data');
    writeTree(data, 5, 4);
    const index = join(dir, 'stat-index');
    const trusting = await StatCache.load(index, {
      racyWindowMs: 0,
      clock: () => BigInt(Date.now() + 10_000) * 1_000_000n,
    });
    await hashDirectory(data, { statCache: trusting });
    await trusting.save();
    expect(cachedDirectoryHash(data, trusting)?.walk).toBeDefined();
    // The same remembered hashes, but folders written a moment ago are inside a 60 s window.
    const strict = await StatCache.load(index, { racyWindowMs: 60_000 });
    const walked = cachedDirectoryHash(data, strict);
    expect(walked?.hash).toBeDefined();
    expect(walked?.walk).toBeUndefined();
  });
});

describe('status and add with snapshots (real store)', () => {
  /** A workspace with `data/` added and everything aged, so snapshots and store presence are trusted. */
  async function workspace(): Promise<{ root: string; data: string }> {
    const root = tempDir('cairn-snapshot-ws-');
    dirs.push(root);
    const data = join(root, 'data');
    writeTree(data, 60, 5);
    await add(root, ['data']);
    age(data);
    age(join(root, '.cairn', 'cache', OBJECTS_FOLDER));
    return { root, data };
  }

  it('answer a no-op status from the snapshot, not from hashing (an edit that keeps size, inode and mtime stays unseen, as in git)', async () => {
    const { root, data } = await workspace();
    expect((await status(root))[0]!.state).toBe('clean'); // walks (stat cache refilled) and takes the snapshot
    expect((await status(root))[0]!.state).toBe('clean'); // records store presence
    const file = join(data, 'part-0/group-0/file-0.bin');
    const before = lstatSync(file);
    const content = readFileSync(file);
    content[0]! ^= 0xff;
    writeFileSync(file, content);
    utimesSync(file, before.atime, before.mtime);
    rmSync((await loadLayout(root)).statCacheFile); // without the snapshot, status would have to rehash
    expect((await status(root))[0]!.state).toBe('clean');
    // Any stat change is seen: the file is rehashed and found modified.
    utimesSync(file, before.atime, new Date(before.mtimeMs - 1000));
    const [entry] = await status(root);
    expect(entry!.state).toBe('modified');
    expect(entry!.changes?.modified).toEqual(['part-0/group-0/file-0.bin']);
  });

  it('are taken by add from its one read of old files, and see a change after it', async () => {
    const root = tempDir('cairn-snapshot-ws-');
    dirs.push(root);
    const data = join(root, 'data');
    writeTree(data, 60, 7);
    mkdirSync(join(data, 'empty'));
    age(data);
    const [pointer] = await add(root, ['data']);
    const layout = await loadLayout(root);
    expect((await checkSnapshot(layout.snapshotDir, data))?.hash).toBe(pointer!.hash);
    expect((await status(root))[0]!.state).toBe('clean');
    writeFileSync(join(data, 'empty/new.bin'), 'n');
    expect(await checkSnapshot(layout.snapshotDir, data)).toBeUndefined();
    const [entry] = await status(root);
    expect(entry!.state).toBe('modified');
    expect(entry!.changes?.added).toEqual(['empty/new.bin']);
  });

  it('are dropped by gc once their folder is no longer tracked, and kept while it is', async () => {
    const { root } = await workspace();
    writeTree(join(root, 'other'), 5, 6);
    await add(root, ['other']);
    age(join(root, 'other'));
    const layout = await loadLayout(root);
    await status(root);
    const tracked = snapshotFile(layout.snapshotDir, realpathSync(join(root, 'data')));
    const other = snapshotFile(layout.snapshotDir, realpathSync(join(root, 'other')));
    expect(readdirSync(layout.snapshotDir).sort()).toEqual(
      [tracked, other].map((file) => basename(file)).sort(),
    );
    // A leftover of an interrupted write goes too.
    writeFileSync(join(layout.snapshotDir, `${basename(tracked)}.tmp-1-ab`), 'torn');

    await gc(root, { dryRun: true });
    expect(readdirSync(layout.snapshotDir)).toHaveLength(3);
    await gc(root);
    expect(readdirSync(layout.snapshotDir).sort()).toEqual(
      [tracked, other].map((file) => basename(file)).sort(),
    );
    rmSync(join(root, 'other.cairn'));
    await gc(root);
    expect(readdirSync(layout.snapshotDir)).toEqual([basename(tracked)]);
    expect((await checkSnapshot(layout.snapshotDir, join(root, 'data')))?.hash).toBeDefined();
  });

  it('see an object deleted from the store after presence was recorded', async () => {
    const { root } = await workspace();
    const layout = await loadLayout(root);
    await status(root);
    await status(root);
    const match = await checkSnapshot(layout.snapshotDir, join(root, 'data'));
    expect(match?.presence?.fanout.length).toBeGreaterThan(0);
    const [first] = readdirSync(join(layout.cacheDir, OBJECTS_FOLDER, match!.presence!.fanout[0]!.name));
    const id = `${match!.presence!.fanout[0]!.name}${first}`;
    rmSync(objectPath(layout.cacheDir, id), { force: true });
    const [entry] = await status(root);
    expect(entry!.state).toBe('not-in-cache');
    // add puts it back from the workspace data, then status is clean again.
    await add(root, ['data']);
    expect((await status(root))[0]!.state).toBe('clean');
  });

  it('re-store objects on a no-op add when the store lost one', async () => {
    const { root } = await workspace();
    const layout = await loadLayout(root);
    await add(root, ['data']); // the aged files are read once more: the stat cache learns them
    await add(root, ['data']); // walks and records the snapshot with presence
    const match = (await checkSnapshot(layout.snapshotDir, join(root, 'data')))!;
    expect(match.presence).toBeDefined();
    const prefix = match.presence!.fanout[0]!.name;
    const [name] = readdirSync(join(layout.cacheDir, OBJECTS_FOLDER, prefix));
    rmSync(objectPath(layout.cacheDir, `${prefix}${name}`));
    await add(root, ['data']);
    expect(lstatSync(objectPath(layout.cacheDir, `${prefix}${name}`)).isFile()).toBe(true);
  });
});
