import {
  chmodSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockTimeoutError, withLock } from '@cairn/fs-atomic';
import { hashBuffer } from '@cairn/hash';
import { bytes, cleanup, git, tempDir, writeTree } from '../test/helpers';
import {
  add,
  checkout,
  gc,
  initWorkspace,
  listObjectIds,
  listPointers,
  workspaceObjectPath,
  referencedObjects,
  serializePointer,
  storePath,
  verify,
  type Pointer,
} from './index';
import { toPosixRelative } from './paths';

const dirs: string[] = [];
async function workspace(): Promise<string> {
  const root = tempDir('cairn-gc-');
  dirs.push(root);
  await initWorkspace(root);
  return root;
}
afterEach(() => dirs.splice(0).forEach(cleanup));
const objects = (root: string) => listObjectIds(join(root, '.cairn', 'cache'));

describe('gc', () => {
  it('keeps what working-tree pointers reference; dry-run removes nothing', async () => {
    const root = await workspace();
    writeTree(join(root, 'keep'), 5, 1);
    writeTree(join(root, 'drop'), 5, 2);
    writeFileSync(
      join(root, 'shared.txt'),
      readFileSync(join(root, 'keep', 'part-0', 'group-0', 'file-0.bin')),
    );
    const [keep] = await add(root, ['keep']);
    const [drop] = await add(root, ['drop']);
    await add(root, ['shared.txt']);
    const keepIds = await referencedObjects(root, [keep!]);
    const dropIds = await referencedObjects(root, [drop!]);
    unlinkSync(join(root, 'drop.cairn'));
    const all = await objects(root);
    expect(all).toHaveLength(12);

    const dry = await gc(root, { dryRun: true });
    expect(dry.removed.map((object) => object.id)).toEqual(dropIds);
    expect(dry.kept).toBe(6);
    expect(dry.freedBytes).toBeGreaterThan(5 * 1024);
    expect(await objects(root)).toEqual(all);

    const real = await gc(root);
    expect(real.removed).toEqual(dry.removed);
    expect(await objects(root)).toEqual(keepIds);
    rmSync(join(root, 'keep'), { recursive: true });
    await checkout(root, ['keep']);
    expect((await gc(root)).removed).toEqual([]);
  });

  it('with allRefs keeps objects referenced on any branch or tag, read from git without checkout', async () => {
    const root = await workspace();
    git(root, 'init', '-q', '-b', 'main');
    writeFileSync(join(root, 'v.txt'), 'version one');
    const [v1] = await add(root, ['v.txt']);
    git(root, 'add', 'v.txt.cairn', '.gitignore');
    git(root, 'commit', '-q', '-m', 'v1');
    git(root, 'tag', 'release-1');
    writeFileSync(join(root, 'v.txt'), 'version two');
    const [v2] = await add(root, ['v.txt']);
    git(root, 'commit', '-q', '-am', 'v2');
    git(root, 'checkout', '-q', '-b', 'experiment');
    writeFileSync(join(root, 'v.txt'), 'version three');
    const [v3] = await add(root, ['v.txt']);
    git(root, 'commit', '-q', '-am', 'v3');
    git(root, 'checkout', '-q', 'main');
    // v4 only ever existed in the working tree and was replaced: garbage everywhere.
    writeFileSync(join(root, 'v.txt'), 'version four');
    await add(root, ['v.txt']);
    git(root, 'checkout', '-q', '--', 'v.txt.cairn');
    // A malformed pointer committed in history keeps nothing alive but does not stop gc.
    writeFileSync(join(root, 'bad.cairn'), '{"version": 1}');
    git(root, 'add', 'bad.cairn');
    git(root, 'commit', '-q', '-m', 'bad');
    unlinkSync(join(root, 'bad.cairn'));
    expect(await objects(root)).toHaveLength(4);

    const result = await gc(root, { allRefs: true, dryRun: true });
    expect(result.removed).toHaveLength(1);
    expect(result.refs).toEqual(
      expect.arrayContaining(['HEAD', 'refs/heads/main', 'refs/heads/experiment', 'refs/tags/release-1']),
    );
    expect(result.invalidGitPointers).toEqual([expect.objectContaining({ source: 'HEAD:bad.cairn' })]);
    await gc(root, { allRefs: true });
    expect(await objects(root)).toEqual([v1!.hash, v2!.hash, v3!.hash].sort());
    // Without allRefs only the working tree's pointer (v2, on main) survives.
    await gc(root);
    expect(await objects(root)).toEqual([v2!.hash]);
  });

  it('fails clearly with allRefs outside a git repository and removes nothing', async () => {
    const root = await workspace();
    writeFileSync(join(root, 'a.txt'), 'a');
    await add(root, ['a.txt']);
    unlinkSync(join(root, 'a.txt.cairn'));
    await expect(gc(root, { allRefs: true })).rejects.toMatchObject({ code: 'GC_GIT_UNREADABLE' });
    expect(await objects(root)).toHaveLength(1);
  });
});

describe('storePath and a concurrent gc', () => {
  it('writes the pointer under the store lock, so a gc started meanwhile waits and keeps the new objects', async () => {
    const root = await workspace();
    const folder = join(root, 'scratch', 'model');
    writeTree(folder, 4, 9);
    const lockPath = join(root, '.cairn', 'cache', 'lock');
    let collecting: Promise<Awaited<ReturnType<typeof gc>>> | undefined;
    const pointer = await storePath(root, folder, {
      reference: async (stored) => {
        // The lock is held here: nobody else can take it now…
        await expect(withLock(lockPath, async () => undefined, { waitMs: 0 })).rejects.toBeInstanceOf(
          LockTimeoutError,
        );
        // …so this gc waits for it, and by then the pointer names the new objects.
        collecting = gc(root);
        writePointerAt(root, 'dist/model.cairn', stored);
      },
    });
    const result = await collecting!;
    expect(result.removed).toEqual([]);
    expect(await objects(root)).toEqual(await referencedObjects(root, [pointer]));
    expect(await objects(root)).toHaveLength(5);
  });
});

/** A folder stored the way `train` stores an artifact: objects in the store, no pointer file written. */
async function storeFolder(root: string, name: string, seed: number): Promise<Pointer> {
  const folder = join(root, 'scratch', name);
  writeTree(folder, 3, seed);
  const pointer = await storePath(root, folder);
  rmSync(join(root, 'scratch'), { recursive: true });
  return pointer;
}

function writePointerAt(root: string, file: string, pointer: Pointer, path = 'model'): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), serializePointer({ ...pointer, path }));
}

const runRecord = (pointer: Pointer) =>
  JSON.stringify({ project: 'p', artifact: { hash: pointer.hash, size: pointer.size } });

describe('gc keeps everything still needed', () => {
  it('keeps objects of pointers in dist/, node_modules/, the Nx cache and run records; lists what it removes', async () => {
    const root = await workspace();
    const outsideCache = tempDir('cairn-gc-nx-cache-');
    dirs.push(outsideCache);
    vi.stubEnv('NX_CACHE_DIRECTORY', outsideCache);
    try {
      writeFileSync(join(root, 'data.csv'), 'a,b\n1,2\n');
      const [data] = await add(root, ['data.csv']);
      // A trained artifact: its pointer lives only in dist/cairn (git-ignored build output).
      const trained = await storeFolder(root, 'trained', 11);
      writePointerAt(root, 'dist/cairn/models/m/train/model.cairn', trained);
      // A pointer inside node_modules.
      mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
      writeFileSync(join(root, 'node_modules', 'x', 'blob.bin'), bytes(5, 3000));
      const [vendored] = await add(root, ['node_modules/x/blob.bin']);
      // Nx cache entries (folders per task hash holding the outputs), in .nx/cache and in an outside cache.
      const cachedHere = await storeFolder(root, 'cached-here', 12);
      writePointerAt(root, '.nx/cache/5703043118556209076/dist/cairn/models/n/train/model.cairn', cachedHere);
      const cachedOutside = await storeFolder(root, 'cached-outside', 13);
      writePointerAt(outsideCache, '8812/dist/cairn/models/o/train/model.cairn', cachedOutside);
      // Run records without any pointer beside them: the run history and a train output's run.json.
      const inHistory = await storeFolder(root, 'in-history', 14);
      mkdirSync(join(root, '.cairn', 'runs'), { recursive: true });
      writeFileSync(join(root, '.cairn', 'runs', 'p.jsonl'), `${runRecord(inHistory)}\n{"project":"p","arti`);
      const inRunJson = await storeFolder(root, 'in-run-json', 15);
      mkdirSync(join(root, 'dist', 'cairn', 'models', 'q', 'train'), { recursive: true });
      writeFileSync(join(root, 'dist', 'cairn', 'models', 'q', 'train', 'run.json'), runRecord(inRunJson));
      // Garbage: stored, then its pointer deleted.
      writeFileSync(join(root, 'junk.bin'), bytes(9, 4321));
      const [junk] = await add(root, ['junk.bin']);
      unlinkSync(join(root, 'junk.bin.cairn'));

      const needed = await referencedObjects(root, [
        data!,
        trained,
        vendored!,
        cachedHere,
        cachedOutside,
        inHistory,
        inRunJson,
      ]);
      expect(needed).toHaveLength(1 + 4 + 1 + 4 + 4 + 4 + 4);
      expect(await objects(root)).toEqual([...needed, junk!.hash].sort());
      // The user-facing selection (status, checkout) still leaves build output and dependencies alone.
      expect((await listPointers(root)).map((record) => toPosixRelative(root, record.file))).toEqual([
        'data.csv.cairn',
      ]);

      const dry = await gc(root, { dryRun: true });
      expect(dry.removed).toEqual([{ id: junk!.hash, size: 4321 }]);
      expect(dry.freedBytes).toBe(4321);
      expect(dry.nxCaches).toContain(realpathSync(outsideCache));
      expect(await objects(root)).toEqual([...needed, junk!.hash].sort());

      const real = await gc(root);
      expect(real.removed).toEqual(dry.removed);
      expect(await objects(root)).toEqual(needed);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('with allRefs keeps objects referenced only from every stash entry (index and untracked parts) and notes', async () => {
    const root = await workspace();
    git(root, 'init', '-q', '-b', 'main');
    writeFileSync(join(root, 'v.txt'), 'version one');
    const [v1] = await add(root, ['v.txt']);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'v1');
    const version = async (text: string) => {
      writeFileSync(join(root, 'v.txt'), text);
      return (await add(root, ['v.txt']))[0]!;
    };
    // An older stash entry (stash@{1}) and the newest one (stash@{0}), each with a modified tracked pointer.
    const v2 = await version('version two, stashed first');
    git(root, 'stash', '-q');
    const v3 = await version('version three, stashed last');
    git(root, 'add', 'v.txt.cairn');
    // Staged only: the index part of the stash holds it, the work tree part holds v4.
    const v4 = await version('version four, unstaged in the same stash');
    writeFileSync(join(root, 'new.txt'), 'an untracked pointer');
    const [untracked] = await add(root, ['new.txt']);
    git(root, 'stash', '-q', '-u');
    expect(git(root, 'stash', 'list').trim().split('\n')).toHaveLength(2);
    // A note holding a pointer.
    const noted = await version('version five, kept in a note');
    git(root, 'notes', 'add', '-F', join(root, 'v.txt.cairn'), 'HEAD');
    git(root, 'checkout', '-q', '--', 'v.txt.cairn');
    const garbage = await version('version six, replaced');
    git(root, 'checkout', '-q', '--', 'v.txt.cairn');

    const kept = [v1!, v2, v3, v4, untracked!, noted].map((pointer) => pointer.hash).sort();
    expect(new Set(kept).size).toBe(6);
    const result = await gc(root, { allRefs: true });
    expect(result.refs).toEqual(
      expect.arrayContaining([
        'HEAD',
        'refs/stash',
        'refs/stash@{0}',
        'refs/stash@{1}',
        'refs/notes/commits',
      ]),
    );
    expect(result.removed).toEqual([{ id: garbage.hash, size: 'version six, replaced'.length }]);
    expect(await objects(root)).toEqual(kept);
    // Without allRefs only the working tree's pointer survives.
    await gc(root);
    expect(await objects(root)).toEqual([v1!.hash]);
  });

  it('with allRefs in a linked git worktree reads the shared repository and the worktree HEAD', async () => {
    const main = tempDir('cairn-gc-main-');
    dirs.push(main);
    git(main, 'init', '-q', '-b', 'main');
    await initWorkspace(main);
    writeFileSync(join(main, 'v.txt'), 'on main');
    const [onMain] = await add(main, ['v.txt']);
    git(main, 'add', '-A');
    git(main, 'commit', '-q', '-m', 'main');
    const linked = join(main, '..', `${basename(main)}-linked`);
    dirs.push(linked);
    git(main, 'worktree', 'add', '-q', '-b', 'feature', linked);
    writeFileSync(join(linked, 'v.txt'), 'on the feature branch');
    const [onFeature] = await add(linked, ['v.txt']);
    git(linked, 'commit', '-q', '-am', 'feature');
    // Only the main branch refers to this object in the linked worktree's store.
    writeFileSync(join(linked, 'w.txt'), 'on main');
    await add(linked, ['w.txt']);
    unlinkSync(join(linked, 'w.txt.cairn'));
    writeFileSync(join(linked, 'junk.txt'), 'garbage');
    const [junk] = await add(linked, ['junk.txt']);
    unlinkSync(join(linked, 'junk.txt.cairn'));

    const result = await gc(linked, { allRefs: true });
    expect(result.refs).toEqual(expect.arrayContaining(['HEAD', 'refs/heads/main', 'refs/heads/feature']));
    expect(result.removed.map((object) => object.id)).toEqual([junk!.hash]);
    expect(await objects(linked)).toEqual([onMain!.hash, onFeature!.hash].sort());
  });

  it('does not follow symlinks out of the workspace; an unparsable pointer anywhere stops gc', async () => {
    const root = await workspace();
    const outside = tempDir('cairn-gc-outside-');
    dirs.push(outside);
    writeFileSync(join(root, 'a.txt'), 'only referenced from outside');
    const [a] = await add(root, ['a.txt']);
    writeFileSync(join(outside, 'a.txt.cairn'), readFileSync(join(root, 'a.txt.cairn')));
    renameSync(join(root, 'a.txt.cairn'), join(root, 'a.txt.cairn.bak'));
    symlinkSync(outside, join(root, 'linked-folder'));
    writeFileSync(join(root, 'b.txt'), 'referenced from inside');
    const [b] = await add(root, ['b.txt']);
    // A symlinked pointer file leading out of the workspace is not read either.
    writeFileSync(join(outside, 'c.cairn'), readFileSync(join(root, 'a.txt.cairn.bak')));
    symlinkSync(join(outside, 'c.cairn'), join(root, 'c.cairn'));
    // A merge conflict in a pointer under dist/: both sides may be needed, so gc refuses to guess.
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'conflict.cairn'), '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n');
    const before = await objects(root);
    await expect(gc(root)).rejects.toMatchObject({
      code: 'POINTER_INVALID',
      data: { file: join(root, 'dist', 'conflict.cairn') },
    });
    expect(await objects(root)).toEqual(before);

    unlinkSync(join(root, 'dist', 'conflict.cairn'));
    const result = await gc(root);
    expect(result.removed.map((object) => object.id)).toEqual([a!.hash]);
    expect(await objects(root)).toEqual([b!.hash]);
  });

  describe('stops with GC_MANIFEST_UNREADABLE and deletes nothing when a referenced manifest cannot be read', () => {
    async function folderWithGarbage(): Promise<{ root: string; manifest: string; before: string[] }> {
      const root = await workspace();
      writeTree(join(root, 'images'), 6, 3);
      const [images] = await add(root, ['images']);
      writeFileSync(join(root, 'junk.bin'), 'garbage');
      await add(root, ['junk.bin']);
      unlinkSync(join(root, 'junk.bin.cairn'));
      return { root, manifest: images!.hash, before: await objects(root) };
    }

    async function expectStopped(root: string, manifest: string, before: string[]): Promise<void> {
      for (const dryRun of [true, false]) {
        const error = await gc(root, { dryRun }).catch((caught: unknown) => caught);
        expect(error).toMatchObject({
          code: 'GC_MANIFEST_UNREADABLE',
          data: { id: manifest, source: 'images.cairn' },
        });
        expect((error as Error).message).toContain(manifest);
        expect((error as Error).message).toContain('images.cairn');
      }
      expect(await objects(root)).toEqual(before);
    }

    it('a byte-flipped manifest', async () => {
      const { root, manifest, before } = await folderWithGarbage();
      const file = workspaceObjectPath(root, manifest);
      const content = readFileSync(file);
      const middle = content.length >> 1;
      content.writeUInt8(content.readUInt8(middle) ^ 0x01, middle);
      chmodSync(file, 0o644);
      writeFileSync(file, content);
      await expectStopped(root, manifest, before);
    });

    it('a manifest whose bytes match its id but do not parse', async () => {
      const { root, before } = await folderWithGarbage();
      const text = Buffer.from('{"format":"not a manifest"}\n');
      const id = `${hashBuffer(text)}.dir`;
      mkdirSync(dirname(workspaceObjectPath(root, id)), { recursive: true });
      writeFileSync(workspaceObjectPath(root, id), text);
      writeFileSync(
        join(root, 'images.cairn'),
        serializePointer({ version: 1, algorithm: 'blake3', hash: id, size: 1, nfiles: 1, path: 'images' }),
      );
      await expectStopped(root, id, [...before, id].sort());
    });

    it('a manifest verify quarantined as corrupt', async () => {
      const { root, manifest, before } = await folderWithGarbage();
      const file = workspaceObjectPath(root, manifest);
      chmodSync(file, 0o644);
      writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from(' ')]));
      expect((await verify(root, { quarantine: true })).quarantined).toEqual([manifest]);
      await expectStopped(
        root,
        manifest,
        before.filter((id) => id !== manifest),
      );
    });
  });
});
