import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashDirectory } from '@cairn/hash';
import { b3sum, cleanup, tempDir, writeTree } from '../test/helpers';
import {
  add,
  checkout,
  defaultLink,
  hasObject,
  initWorkspace,
  listObjectIds,
  listPointers,
  materialize,
  workspaceObjectPath,
  placementStrategies,
  readManifestObject,
  readPointer,
  referencedObjects,
  status,
  storePath,
  unprotect,
  verify,
} from './index';

const dirs: string[] = [];
async function workspace(): Promise<string> {
  const root = tempDir();
  dirs.push(root);
  await initWorkspace(root);
  return root;
}
afterEach(() => dirs.splice(0).forEach(cleanup));

function allFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? allFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

describe('add', () => {
  it('stores a file under its b3sum, read-only, writes a pointer and ignores the data in git', async () => {
    const root = await workspace();
    writeFileSync(join(root, 'data.csv'), 'a,b\n1,2\n');
    const [pointer] = await add(root, ['data.csv']);
    const [expected] = b3sum([join(root, 'data.csv')]);
    expect(pointer).toEqual({ version: 1, algorithm: 'blake3', hash: expected, size: 8, path: 'data.csv' });
    expect(await readPointer(join(root, 'data.csv.cairn'))).toEqual(pointer);
    const object = workspaceObjectPath(root, expected!);
    expect(object).toBe(join(root, '.cairn', 'cache', 'b3', expected!.slice(0, 2), expected!.slice(2)));
    expect(readFileSync(object, 'utf8')).toBe('a,b\n1,2\n');
    expect(statSync(object).mode & 0o777).toBe(0o444);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('/data.csv\n');
    // Idempotent: same pointer bytes, one gitignore line, one object.
    const before = readFileSync(join(root, 'data.csv.cairn'));
    await add(root, ['data.csv']);
    expect(readFileSync(join(root, 'data.csv.cairn'))).toEqual(before);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('/data.csv\n');
    expect(await listObjectIds(join(root, '.cairn', 'cache'))).toEqual([expected]);
  });

  it('stores every file of a folder plus its manifest, deduplicating equal files', async () => {
    const root = await workspace();
    mkdirSync(join(root, 'd', 'sub'), { recursive: true });
    writeFileSync(join(root, 'd', 'a.txt'), 'same');
    writeFileSync(join(root, 'd', 'sub', 'b.txt'), 'same');
    writeFileSync(join(root, 'd', 'c.txt'), 'other');
    const [pointer] = await add(root, ['d'], { gitignore: false });
    expect(pointer).toMatchObject({ size: 13, nfiles: 3, path: 'd' });
    expect(pointer!.hash).toMatch(/^[0-9a-f]{64}\.dir$/);
    const [same, other] = b3sum([join(root, 'd', 'a.txt'), join(root, 'd', 'c.txt')]);
    expect(await listObjectIds(join(root, '.cairn', 'cache'))).toEqual([pointer!.hash, same, other].sort());
    // The manifest object's content hashes to its id (checked with b3sum).
    expect(b3sum([workspaceObjectPath(root, pointer!.hash)])[0]).toBe(pointer!.hash.slice(0, 64));
    expect(existsSync(join(root, '.gitignore'))).toBe(false);
    expect(await referencedObjects(root, [pointer!])).toEqual([pointer!.hash, same, other].sort());
  });

  it('hashes and stores a large folder in one read: same hash as hashDirectory, every object checked by b3sum', async () => {
    const root = await workspace();
    const data = join(root, 'big');
    writeTree(data, 120, 11);
    writeFileSync(join(data, 'copy.bin'), readFileSync(join(data, 'part-0/group-0/file-0.bin'))); // same content
    writeFileSync(join(data, 'large.bin'), Buffer.alloc(9 * 1024 * 1024, 5)); // above the whole-read limit: streamed
    writeFileSync(join(data, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(data, 'run.sh'), 0o755);
    symlinkSync('part-1/group-0/file-1.bin', join(data, 'link.bin'));
    // Some objects are in the store already (an earlier add of part of it).
    await add(root, ['big/part-2'], { gitignore: false });
    rmSync(join(data, 'part-2.cairn'));
    const expected = await hashDirectory(data);
    const [pointer] = await add(root, ['big'], { gitignore: false });
    expect(pointer).toMatchObject({ hash: expected.hash, size: expected.size, nfiles: 124 });
    const manifest = await readManifestObject(join(root, '.cairn', 'cache'), pointer!.hash);
    expect(manifest).toEqual(expected.entries);
    const ids = [...new Set(manifest.map((entry) => entry.hash))];
    expect(b3sum(ids.map((id) => workspaceObjectPath(root, id)))).toEqual(ids);
    for (const id of ids) expect(statSync(workspaceObjectPath(root, id)).mode & 0o777).toBe(0o444);
    expect((await status(root, ['big']))[0]!.state).toBe('clean');
  });

  it('rejects bad paths before storing anything', async () => {
    const root = await workspace();
    const outside = tempDir();
    dirs.push(outside);
    writeFileSync(join(outside, 'secret'), 'x');
    writeFileSync(join(root, 'ok.txt'), 'ok');
    symlinkSync(outside, join(root, 'escape'));
    const cases: Array<[string[], string]> = [
      [['ok.txt', '../x'], 'STORE_PATH_OUTSIDE_WORKSPACE'],
      [[join(outside, 'secret')], 'STORE_PATH_OUTSIDE_WORKSPACE'],
      [['escape/secret'], 'STORE_PATH_OUTSIDE_WORKSPACE'],
      [['ok.txt', 'missing.txt'], 'PATH_NOT_FOUND'],
      [['.cairn/config.json'], 'STORE_PATH_RESERVED'],
      [['.'], 'STORE_PATH_RESERVED'],
      [['escape'], 'STORE_PATH_UNSUPPORTED'],
      [['ok.txt', 'ok.txt'], 'STORE_PATH_UNSUPPORTED'],
    ];
    for (const [paths, code] of cases) {
      await expect(add(root, paths), paths.join(' ')).rejects.toMatchObject({ code });
    }
    expect(existsSync(join(root, 'ok.txt.cairn'))).toBe(false);
    expect(await listObjectIds(join(root, '.cairn', 'cache'))).toEqual([]);
  });

  it('refuses a special file inside a folder without storing part of it', async () => {
    const root = await workspace();
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'a.txt'), 'a');
    execFileSync('mkfifo', [join(root, 'd', 'pipe')]);
    await expect(add(root, ['d'])).rejects.toMatchObject({ code: 'HASH_SPECIAL_FILE' });
    expect(await listObjectIds(join(root, '.cairn', 'cache'))).toEqual([]);
    expect(existsSync(join(root, 'd.cairn'))).toBe(false);
  });

  it('refuses paths inside a tracked folder and folders holding pointers', async () => {
    const root = await workspace();
    mkdirSync(join(root, 'd', 'inner'), { recursive: true });
    writeFileSync(join(root, 'd', 'inner', 'a.txt'), 'a');
    await add(root, ['d']);
    await expect(add(root, ['d/inner/a.txt'])).rejects.toMatchObject({ code: 'STORE_PATH_UNSUPPORTED' });
    mkdirSync(join(root, 'e'));
    writeFileSync(join(root, 'e', 'x'), 'x');
    await add(root, ['e/x']);
    await expect(add(root, ['e'])).rejects.toMatchObject({ code: 'STORE_PATH_UNSUPPORTED' });
  });

  it('storePath stores without writing a pointer file or .gitignore', async () => {
    const root = await workspace();
    const out = tempDir();
    dirs.push(out);
    writeFileSync(join(out, 'model.bin'), 'weights');
    const pointer = await storePath(root, out);
    expect(pointer).toMatchObject({ nfiles: 1, size: 7 });
    expect(await hasObject(root, pointer.hash)).toBe(true);
    expect(existsSync(`${out}.cairn`)).toBe(false);
    expect(existsSync(join(root, '.gitignore'))).toBe(false);
    const target = join(root, 'restored');
    await materialize(root, pointer, target);
    expect(readFileSync(join(target, 'model.bin'), 'utf8')).toBe('weights');
    await materialize(root, pointer, target); // same content: a no-op
    writeFileSync(join(target, 'model.bin'), 'other weights');
    await expect(materialize(root, pointer, target)).rejects.toMatchObject({
      code: 'CHECKOUT_WOULD_OVERWRITE',
    });
    expect(readFileSync(join(target, 'model.bin'), 'utf8')).toBe('other weights');
    await materialize(root, pointer, target, { force: true });
    expect(readFileSync(join(target, 'model.bin'), 'utf8')).toBe('weights');
  });
});

describe('round trip and status', () => {
  it('adds 1,000 files, restores them byte for byte after deletion, and tracks modifications', async () => {
    const root = await workspace();
    const files = writeTree(join(root, 'data'), 1000);
    const [pointer] = await add(root, ['data']);
    expect(pointer).toMatchObject({
      nfiles: 1000,
      size: [...files.values()].reduce((sum, b) => sum + b.length, 0),
    });
    // Every stored object is named by its real BLAKE3 (b3sum oracle).
    const ids = (await listObjectIds(join(root, '.cairn', 'cache'))).filter((id) => !id.endsWith('.dir'));
    expect(b3sum(ids.map((id) => workspaceObjectPath(root, id)))).toEqual(ids);
    expect(await status(root)).toEqual([
      {
        path: 'data',
        pointerFile: 'data.cairn',
        state: 'clean',
        hash: pointer!.hash,
        actualHash: pointer!.hash,
        inCache: true,
      },
    ]);

    rmSync(join(root, 'data'), { recursive: true });
    expect((await status(root))[0]).toMatchObject({ state: 'missing', inCache: true });
    const result = await checkout(root);
    expect(result.restored).toEqual(['data']);
    expect(allFiles(join(root, 'data')).sort()).toEqual([...files.keys()].sort());
    for (const [relative, content] of files)
      expect(readFileSync(join(root, 'data', relative)).equals(content)).toBe(true);
    expect((await status(root))[0]!.state).toBe('clean');

    // modify one, delete one, add one
    const [first, second] = [...files.keys()];
    writeFileSync(join(root, 'data', 'new.txt'), 'new');
    rmSync(join(root, 'data', second!));
    rmSync(join(root, 'data', first!));
    writeFileSync(join(root, 'data', first!), 'changed');
    const [entry] = await status(root);
    expect(entry).toMatchObject({
      state: 'modified',
      inCache: true,
      changes: { added: ['new.txt'], modified: [first], deleted: [second] },
    });
    expect(entry!.actualHash).not.toBe(pointer!.hash);
    await expect(checkout(root)).rejects.toMatchObject({ code: 'CHECKOUT_WOULD_OVERWRITE' });
    expect(readFileSync(join(root, 'data', first!), 'utf8')).toBe('changed');
    await checkout(root, ['data'], { force: true });
    expect(existsSync(join(root, 'data', 'new.txt'))).toBe(false);
    expect(readFileSync(join(root, 'data', first!)).equals(files.get(first!)!)).toBe(true);
    expect((await status(root, ['data']))[0]!.state).toBe('clean');
  }, 60_000);

  it('puts back files deleted inside a folder without --force, and reports tracked files', async () => {
    const root = await workspace();
    const files = writeTree(join(root, 'data'), 20);
    writeFileSync(join(root, 'single.txt'), 'one');
    await add(root, ['data', 'single.txt']);
    const victim = [...files.keys()][3]!;
    rmSync(join(root, 'data', victim));
    writeFileSync(join(root, 'single.txt'), 'two');
    const entries = await status(root);
    expect(entries.map((e) => [e.path, e.state])).toEqual([
      ['data', 'modified'],
      ['single.txt', 'modified'],
    ]);
    expect(entries[0]!.changes).toEqual({ added: [], modified: [], deleted: [victim] });
    await checkout(root, ['data']);
    expect(readFileSync(join(root, 'data', victim)).equals(files.get(victim)!)).toBe(true);
    rmSync(join(root, 'single.txt'));
    expect((await status(root, ['single.txt.cairn']))[0]!.state).toBe('missing');
    await expect(status(root, ['nothing-here'])).rejects.toMatchObject({ code: 'STORE_NOT_TRACKED' });
  });

  it('a checkout with nothing to restore still sweeps what a killed checkout left beside its targets', async () => {
    const root = await workspace();
    writeTree(join(root, 'data'), 3);
    await add(root, ['data']);
    // What a checkout killed after its last rename leaves: the complete folder, and its staging sibling.
    mkdirSync(join(root, '.data.cairn-0123abcd.tmp', '0'), { recursive: true });
    // Not a staging name of a target: left alone.
    writeFileSync(join(root, '.other.cairn-0123abcd.tmp'), 'x');
    writeFileSync(join(root, '.data.cairn-notahex.tmp'), 'x');
    const result = await checkout(root);
    expect(result.restored).toEqual([]);
    expect(
      readdirSync(root)
        .filter((name) => name.endsWith('.tmp'))
        .sort(),
    ).toEqual(['.data.cairn-notahex.tmp', '.other.cairn-0123abcd.tmp']);
  });

  it('reports data whose objects are gone as not-in-cache and checkout refuses it', async () => {
    const root = await workspace();
    writeFileSync(join(root, 'f.txt'), 'content');
    const [pointer] = await add(root, ['f.txt']);
    rmSync(join(root, '.cairn', 'cache'), { recursive: true });
    expect((await status(root))[0]).toMatchObject({ state: 'not-in-cache', inCache: false });
    rmSync(join(root, 'f.txt'));
    await expect(checkout(root)).rejects.toMatchObject({ code: 'STORE_OBJECT_MISSING' });
    expect(await hasObject(root, pointer!.hash)).toBe(false);
  });

  it('reports a malformed pointer in the working tree by file and field', async () => {
    const root = await workspace();
    writeFileSync(
      join(root, 'x.cairn'),
      JSON.stringify({ version: 1, algorithm: 'blake3', hash: 'nope', size: 1, path: 'x' }),
    );
    await expect(status(root)).rejects.toMatchObject({
      code: 'POINTER_INVALID',
      data: { file: join(root, 'x.cairn'), pointer: '/hash' },
    });
  });
});

describe('checkout link strategies', () => {
  it('hardlinks only on opt-in and never for root; a hardlinked checkout can be re-added and unprotected', async () => {
    const root = await workspace();
    writeTree(join(root, 'data'), 30);
    writeFileSync(join(root, 'data', 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await add(root, ['data']);
    rmSync(join(root, 'data'), { recursive: true });
    // The default never shares an inode with the store.
    expect(placementStrategies(defaultLink(), false).strategies).toEqual(['reflink', 'copy']);
    expect(placementStrategies(['hardlink', 'copy'], false)).toEqual({
      strategies: ['hardlink', 'copy'],
      warnings: [],
    });
    const result = await checkout(root, undefined, { link: ['hardlink', 'copy'] });
    const [pointer] = (await listPointers(root)).map((r) => r.pointer);
    const manifest = readFileSync(workspaceObjectPath(root, pointer!.hash), 'utf8');
    const entry = JSON.parse(manifest.split('\n')[1]!) as { path: string; hash: string };
    const placed = statSync(join(root, 'data', entry.path));
    // The executable file is a private copy (the shared object is never executable).
    expect(statSync(join(root, 'data', 'run.sh')).mode & 0o777).toBe(0o755);
    if (process.getuid?.() === 0) {
      // Root is not stopped by the read-only bit: the opt-in is refused, with a warning, and copies are made.
      expect(result.links).toEqual({ copy: 31 });
      expect(result.warnings).toEqual([expect.objectContaining({ code: 'CHECKOUT_LINK_UNSAFE_FOR_ROOT' })]);
      expect(placed.ino).not.toBe(statSync(workspaceObjectPath(root, entry.hash)).ino);
      expect(placed.nlink).toBe(1);
      expect(await unprotect(root, ['data'])).toBe(0);
      return;
    }
    expect(result.links).toEqual({ hardlink: 30, copy: 1 });
    expect(placed.ino).toBe(statSync(workspaceObjectPath(root, entry.hash)).ino);
    expect(placed.mode & 0o777).toBe(0o444);

    const again = await add(root, ['data']);
    expect(again[0]!.hash).toBe(pointer!.hash);
    expect((await status(root))[0]!.state).toBe('clean');

    expect(await unprotect(root, ['data'])).toBe(30);
    const copy = statSync(join(root, 'data', entry.path));
    expect(copy.ino).not.toBe(placed.ino);
    expect(copy.mode & 0o200).toBe(0o200);
    writeFileSync(join(root, 'data', entry.path), 'edited');
    expect((await verify(root)).corrupt).toEqual([]);
  });

  it('falls back when reflinks are unsupported and copies are writable', async () => {
    const root = await workspace();
    writeFileSync(join(root, 'f.txt'), 'content');
    await add(root, ['f.txt']);
    rmSync(join(root, 'f.txt'));
    const result = await checkout(root, undefined, { link: ['reflink', 'copy'] });
    // ext4 and tmpfs have no reflinks; btrfs/xfs do. Either way exactly one file was placed.
    expect(Object.values(result.links).reduce((a, b) => a + b, 0)).toBe(1);
    expect(statSync(join(root, 'f.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(root, 'f.txt'), 'utf8')).toBe('content');
  });
});

describe('verify', () => {
  it('finds corrupt objects, quarantines them and exits clean afterwards', async () => {
    const root = await workspace();
    writeTree(join(root, 'data'), 10);
    const [pointer] = await add(root, ['data']);
    const ids = (await listObjectIds(join(root, '.cairn', 'cache'))).filter((id) => id !== pointer!.hash);
    const victim = ids[4]!;
    const file = workspaceObjectPath(root, victim);
    chmodSync(file, 0o644);
    writeFileSync(file, 'bit rot');
    expect(await verify(root)).toEqual({
      checked: 11,
      corrupt: [victim],
      missing: [],
      quarantined: [],
      shared: [],
    });
    const quarantined = await verify(root, { quarantine: true });
    expect(quarantined).toMatchObject({ corrupt: [victim], quarantined: [victim], missing: [victim] });
    expect(readdirSync(join(root, '.cairn', 'quarantine'))[0]).toMatch(new RegExp(`^${victim}\\.`));
    expect((await status(root))[0]).toMatchObject({ state: 'not-in-cache' });
    await add(root, ['data']);
    expect(await verify(root)).toEqual({
      checked: 11,
      corrupt: [],
      missing: [],
      quarantined: [],
      shared: [],
    });
    unlinkSync(join(root, 'data.cairn'));
  });
});
