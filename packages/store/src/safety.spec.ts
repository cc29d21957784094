// Attacks on the content store: hostile pointers and manifests, corrupt objects, edits of checked-out
// files as root. Every case runs on real files in a temp folder holding the workspace (with a sentinel
// .git/hooks) and a sibling folder outside it, and compares a snapshot of all of it before and after.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBuffer } from '@cairn/hash';
import { bytes, cleanup, tempDir } from '../test/helpers';
import {
  add,
  checkout,
  confinedTarget,
  initWorkspace,
  materialize,
  workspaceObjectPath,
  readPointer,
  saveConfig,
  loadConfig,
  status,
  unprotect,
  verify,
  type Pointer,
} from './index';

interface World {
  /** Holds the workspace and the folder outside it. */
  top: string;
  root: string;
  outside: string;
  /** A stored file object whose content is a shell script (what an attacker would plant as a hook). */
  payload: Pointer;
}

const worlds: string[] = [];
afterEach(() => worlds.splice(0).forEach(cleanup));

async function world(): Promise<World> {
  const top = tempDir('cairn-safety-');
  worlds.push(top);
  const root = join(top, 'repo');
  const outside = join(top, 'outside');
  mkdirSync(join(root, '.git', 'hooks'), { recursive: true });
  writeFileSync(join(root, '.git', 'hooks', 'pre-commit.sample'), 'sentinel hook\n');
  writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), 'outside the repository\n');
  await initWorkspace(root);
  writeFileSync(join(root, 'payload.sh'), '#!/bin/sh\necho planted > /tmp/cairn-pwned\n');
  const [payload] = await add(root, ['payload.sh'], { gitignore: false });
  rmSync(join(root, 'payload.sh.cairn'));
  rmSync(join(root, 'payload.sh'));
  return { top, root, outside, payload: payload! };
}

/**
 * Every path under `dir` (not following symlinks) with its type, mode and content digest or link
 * target. Cairn's own bookkeeping (.cairn/state, the store lock) is left out: it is the allowed tree.
 */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (/(^|\/)\.cairn\/(state|cache\/lock)/.test(rel)) continue;
    const path = join(dir, rel);
    const stat = lstatSync(path);
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(path)}`;
    else if (stat.isDirectory()) {
      out[rel] = `dir ${mode}`;
      Object.assign(out, snapshot(dir, rel));
    } else
      out[rel] =
        `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')} ino=${stat.ino}`;
  }
  return out;
}

function writePointerFile(file: string, pointer: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(pointer, null, 2)}\n`);
}

/** The first line of every cairn manifest (docs/data.md). */
const MANIFEST_HEADER = '{"format":"cairn-manifest","version":1,"algorithm":"blake3"}';

/** Stores hand-made manifest bytes as a `.dir` object (as a hostile remote or a crafted commit could). */
function storeManifest(root: string, lines: string[]): string {
  const bytes = Buffer.from(`${[MANIFEST_HEADER, ...lines].join('\n')}\n`, 'utf8');
  const id = `${hashBuffer(bytes)}.dir`;
  const file = workspaceObjectPath(root, id);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes, { mode: 0o444 });
  return id;
}

function entry(path: string, pointer: Pointer): string {
  return JSON.stringify({ path, hash: pointer.hash, size: pointer.size, executable: true });
}

/** Runs `attack` and expects it to fail with `code` while nothing in the world changes. */
async function expectRefused(w: World, code: string, attack: () => Promise<unknown>): Promise<void> {
  const before = snapshot(w.top);
  await expect(attack()).rejects.toMatchObject({ code });
  expect(snapshot(w.top)).toEqual(before);
}

describe('hostile pointers', () => {
  const schemaRefused: Array<[string, string]> = [
    ['hook in .git', '.git/hooks/pre-commit'],
    ['the cairn config', '.cairn/config.json'],
    ['the whole .cairn folder', '.cairn'],
    ['a nested .git', 'sub/.git/x'],
    ['.git in another case', '.GIT/hooks/pre-commit'],
    ['a nested .cairn in another case', 'a/.Cairn/x'],
    ['a parent segment', '../x'],
    ['a parent segment inside', 'a/../../x'],
    ['an absolute path', '/etc/x'],
    ['an empty segment', 'a//b'],
    ['a trailing slash', 'a/'],
    ['a backslash', 'a\\b'],
    ['a backslash escape', '..\\..\\x'],
    ['a NUL byte', 'a\u0000b'],
    ['a name over 255 bytes', 'x'.repeat(256)],
    ['an empty path', ''],
  ];
  it.each(schemaRefused)('refuses a pointer to %s by file and field, writing nothing', async (_, path) => {
    const w = await world();
    writePointerFile(join(w.root, 'evil.cairn'), { ...w.payload, path });
    await expectRefused(w, 'POINTER_INVALID', () => checkout(w.root, undefined, { force: true }));
    await expect(checkout(w.root)).rejects.toMatchObject({
      data: { file: join(w.root, 'evil.cairn'), pointer: '/path' },
    });
  });

  it('refuses a pointer whose parent folder is a symlink leading outside the repository', async () => {
    const w = await world();
    symlinkSync(w.outside, join(w.root, 'link'));
    writePointerFile(join(w.root, 'evil.cairn'), { ...w.payload, path: 'link/planted.sh' });
    await expectRefused(w, 'STORE_PATH_UNSAFE_PARENT', () => checkout(w.root, undefined, { force: true }));
    await expect(checkout(w.root)).rejects.toMatchObject({ data: { file: 'evil.cairn', pointer: '/path' } });
  });

  it('refuses a pointer whose parent folder is a symlink into .git', async () => {
    const w = await world();
    symlinkSync(join(w.root, '.git', 'hooks'), join(w.root, 'hooks'));
    writePointerFile(join(w.root, 'evil.cairn'), { ...w.payload, path: 'hooks/pre-commit' });
    await expectRefused(w, 'STORE_PATH_UNSAFE_PARENT', () => checkout(w.root, undefined, { force: true }));
  });

  it('refuses a pointer whose deeper parent is a relative symlink to .git, and a parent that is a file', async () => {
    const w = await world();
    mkdirSync(join(w.root, 'a'));
    symlinkSync('../.git', join(w.root, 'a', 'g'));
    writePointerFile(join(w.root, 'evil.cairn'), { ...w.payload, path: 'a/g/hooks/pre-commit' });
    await expectRefused(w, 'STORE_PATH_UNSAFE_PARENT', () => checkout(w.root));
    rmSync(join(w.root, 'evil.cairn'));
    writeFileSync(join(w.root, 'plain'), 'a file');
    writePointerFile(join(w.root, 'evil.cairn'), { ...w.payload, path: 'plain/x' });
    await expectRefused(w, 'STORE_PATH_UNSAFE_PARENT', () => checkout(w.root));
  });

  it('refuses a pointer file reached through a symlinked folder', async () => {
    const w = await world();
    writePointerFile(join(w.outside, 'data.cairn'), { ...w.payload, path: 'data' });
    symlinkSync(w.outside, join(w.root, 'ext'));
    await expectRefused(w, 'STORE_PATH_OUTSIDE_WORKSPACE', () => checkout(w.root, ['ext/data']));
  });

  it('one hostile pointer among good ones: nothing at all is written', async () => {
    const w = await world();
    writePointerFile(join(w.root, 'good.cairn'), { ...w.payload, path: 'good' });
    symlinkSync(w.outside, join(w.root, 'link'));
    writePointerFile(join(w.root, 'z-evil.cairn'), { ...w.payload, path: 'link/planted.sh' });
    await expectRefused(w, 'STORE_PATH_UNSAFE_PARENT', () => checkout(w.root));
  });

  it('refuses to write into a content store that lives inside the workspace', async () => {
    const w = await world();
    const config = await loadConfig(w.root);
    await saveConfig(w.root, { ...config, cache: { ...config.cache, dir: 'store' } });
    writePointerFile(join(w.root, 'evil.cairn'), { ...w.payload, path: 'store' });
    await expectRefused(w, 'STORE_PATH_RESERVED', () => checkout(w.root, undefined, { force: true }));
  });

  it('refuses a config whose cache folder lies inside .git', async () => {
    const w = await world();
    for (const dir of ['.git/hooks', 'sub/.GIT', `${w.root}/.git/objects`]) {
      writeFileSync(
        join(w.root, '.cairn', 'config.json'),
        JSON.stringify({ version: 1, cache: { dir }, remotes: {} }),
      );
      const before = snapshot(w.top);
      await expect(checkout(w.root)).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        data: { pointer: '/cache/dir' },
      });
      await expect(add(w.root, ['.gitignore'])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      expect(snapshot(w.top)).toEqual(before);
    }
  });

  it('replaces a data path that is itself a symlink instead of writing through it', async () => {
    const w = await world();
    symlinkSync(join(w.outside, 'secret.txt'), join(w.root, 'data'));
    writePointerFile(join(w.root, 'data.cairn'), { ...w.payload, path: 'data' });
    await checkout(w.root, undefined, { force: true });
    expect(readFileSync(join(w.outside, 'secret.txt'), 'utf8')).toBe('outside the repository\n');
    expect(lstatSync(join(w.root, 'data')).isFile()).toBe(true);
    expect(hashBuffer(readFileSync(join(w.root, 'data')))).toBe(w.payload.hash);
  });

  it('materialize refuses targets in .git, in .cairn and outside the workspace', async () => {
    const w = await world();
    const cases: Array<[string, string]> = [
      [join(w.root, '.git', 'hooks', 'pre-commit'), 'STORE_PATH_RESERVED'],
      [join(w.root, 'deep', '.git', 'config'), 'STORE_PATH_RESERVED'],
      [join(w.root, '.cairn', 'config.json'), 'STORE_PATH_RESERVED'],
      [join(w.outside, 'planted.sh'), 'STORE_PATH_OUTSIDE_WORKSPACE'],
    ];
    for (const [target, code] of cases)
      await expectRefused(w, code, () => materialize(w.root, w.payload, target, { force: true }));
  });

  it('confinedTarget: one rule for every path read from input', () => {
    const root = '/w';
    const source = { file: 'x.cairn', field: '/path' };
    const refused: Array<[string, string]> = [
      ['.git/hooks/pre-commit', 'STORE_PATH_RESERVED'],
      ['sub/.git/hooks/x', 'STORE_PATH_RESERVED'],
      ['a/.CAIRN/x', 'STORE_PATH_RESERVED'],
      ['../x', 'STORE_PATH_OUTSIDE_WORKSPACE'],
      ['/etc/passwd', 'STORE_PATH_OUTSIDE_WORKSPACE'],
      ['a/../../x', 'STORE_PATH_INVALID'],
      ['a//b', 'STORE_PATH_INVALID'],
      ['a/./b', 'STORE_PATH_INVALID'],
      ['a\\b', 'STORE_PATH_INVALID'],
      ['a\u0000b', 'STORE_PATH_INVALID'],
      ['C:/x', 'STORE_PATH_INVALID'],
      [`${'d/'.repeat(2100)}x`, 'STORE_PATH_INVALID'],
      ['é'.repeat(128), 'STORE_PATH_INVALID'],
      ['', 'STORE_PATH_INVALID'],
    ];
    for (const [path, code] of refused) {
      let thrown: unknown;
      try {
        confinedTarget(root, path, source);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, path.slice(0, 40)).toMatchObject({ code, data: { file: 'x.cairn', pointer: '/path' } });
      // Messages echo only a short prefix of a hostile value.
      expect((thrown as Error).message.length).toBeLessThan(400);
    }
    expect(confinedTarget(root, '.gitignore', source)).toBe('/w/.gitignore');
    expect(confinedTarget(root, 'data/.cairnrc', source)).toBe('/w/data/.cairnrc');
  });
});

describe('hostile manifests', () => {
  const cases: Array<[string, (p: Pointer) => string[], string]> = [
    ['a parent segment', (p) => [entry('../x', p)], 'HASH_BAD_MANIFEST'],
    ['an absolute path', (p) => [entry('/etc/x', p)], 'HASH_BAD_MANIFEST'],
    ['an empty segment', (p) => [entry('a//b', p)], 'HASH_BAD_MANIFEST'],
    ['a NUL byte', (p) => [entry('a\u0000b', p)], 'HASH_BAD_MANIFEST'],
    ['a backslash', (p) => [entry('a\\..\\..\\x', p)], 'STORE_MANIFEST_INVALID'],
    ['a name over 255 bytes', (p) => [entry('n'.repeat(300), p)], 'STORE_MANIFEST_INVALID'],
    ['a hook inside a nested .git', (p) => [entry('sub/.git/hooks/pre-commit', p)], 'STORE_PATH_RESERVED'],
    ['.git at the top of the folder', (p) => [entry('.git/config', p)], 'STORE_PATH_RESERVED'],
    ['a nested .cairn', (p) => [entry('.cairn/config.json', p)], 'STORE_PATH_RESERVED'],
    ['a duplicate path', (p) => [entry('a.sh', p), entry('a.sh', p)], 'STORE_MANIFEST_INVALID'],
    ['a file that is also a folder', (p) => [entry('a', p), entry('a/b.sh', p)], 'STORE_MANIFEST_INVALID'],
  ];
  it.each(cases)('refuses a manifest entry with %s, writing nothing', async (_, lines, code) => {
    const w = await world();
    const id = storeManifest(w.root, lines(w.payload));
    const pointer = { version: 1, algorithm: 'blake3', hash: id, size: 1, nfiles: 1, path: 'evil' };
    writePointerFile(join(w.root, 'evil.cairn'), pointer);
    const expected = code === 'HASH_BAD_MANIFEST' ? 'STORE_MANIFEST_INVALID' : code;
    await expectRefused(w, expected, () => checkout(w.root, undefined, { force: true }));
    await expect(checkout(w.root)).rejects.toMatchObject({ data: { file: 'evil.cairn' } });
    // The same manifest into an existing folder (the put-back-deleted-files path), and through unprotect.
    mkdirSync(join(w.root, 'evil'));
    await expectRefused(w, expected, () => checkout(w.root, undefined, { force: true }));
    if (expected !== 'STORE_MANIFEST_INVALID' || code !== 'HASH_BAD_MANIFEST')
      await expectRefused(w, expected, () => unprotect(w.root, ['evil']));
  });

  it('refuses to put files back through a symlinked subfolder of a tracked folder', async () => {
    const w = await world();
    mkdirSync(join(w.root, 'data', 'sub'), { recursive: true });
    mkdirSync(join(w.root, 'data', 'other'), { recursive: true });
    writeFileSync(join(w.root, 'data', 'sub', 'a.txt'), 'a');
    writeFileSync(join(w.root, 'data', 'other', 'b.txt'), 'b');
    await add(w.root, ['data'], { gitignore: false });
    rmSync(join(w.root, 'data', 'sub'), { recursive: true });
    // Out of the tree: hashing the folder already refuses to follow it.
    symlinkSync(w.outside, join(w.root, 'data', 'sub'));
    await expectRefused(w, 'HASH_SYMLINK_OUTSIDE_TREE', () => checkout(w.root, undefined, { force: true }));
    // Inside the tree: writing data/sub/a.txt would land in data/other.
    rmSync(join(w.root, 'data', 'sub'));
    symlinkSync('other', join(w.root, 'data', 'sub'));
    await expectRefused(w, 'HASH_SYMLINK_TO_DIRECTORY', () => checkout(w.root, undefined, { force: true }));
    // unprotect writes without hashing first: the confinement gate itself refuses.
    await expectRefused(w, 'STORE_PATH_UNSAFE_PARENT', () => unprotect(w.root, ['data']));
  });
});

describe('forced checkout of an existing folder', () => {
  it('swaps files for folders and back, touching only what differs', async () => {
    const w = await world();
    mkdirSync(join(w.root, 'data', 'a'), { recursive: true });
    writeFileSync(join(w.root, 'data', 'a', 'b.txt'), 'b');
    writeFileSync(join(w.root, 'data', 'same.txt'), 'same');
    await add(w.root, ['data'], { gitignore: false });
    const sameInode = lstatSync(join(w.root, 'data', 'same.txt')).ino;
    rmSync(join(w.root, 'data', 'a'), { recursive: true });
    writeFileSync(join(w.root, 'data', 'a'), 'a file where the folder was');
    mkdirSync(join(w.root, 'data', 'extra'));
    writeFileSync(join(w.root, 'data', 'extra', 'x.txt'), 'x');
    const result = await checkout(w.root, undefined, { force: true });
    expect(result.links).toEqual({ copy: 1 });
    expect(readFileSync(join(w.root, 'data', 'a', 'b.txt'), 'utf8')).toBe('b');
    expect(lstatSync(join(w.root, 'data', 'same.txt')).ino).toBe(sameInode);
    expect(readdirSync(join(w.root, 'data')).sort()).toEqual(['a', 'extra', 'same.txt']);
    expect(readdirSync(join(w.root, 'data', 'extra'))).toEqual([]);
    expect((await status(w.root))[0]!.state).toBe('clean');
  });
});

/** Flips one byte of a stored object in place (same size, so only a rehash can tell). */
function flipByte(file: string, at = 0): void {
  chmodSync(file, 0o644);
  const bytes = readFileSync(file);
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(file, bytes);
  chmodSync(file, 0o444);
}

describe('verified restores', () => {
  it('refuses a corrupt file object: workspace file untouched, object quarantined', async () => {
    const w = await world();
    writeFileSync(join(w.root, 'model.bin'), 'weights v1\n');
    const [pointer] = await add(w.root, ['model.bin'], { gitignore: false });
    writeFileSync(join(w.root, 'model.bin'), 'local edit\n');
    flipByte(workspaceObjectPath(w.root, pointer!.hash));
    const error = await checkout(w.root, undefined, { force: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_OBJECT_CORRUPT', data: { ids: [pointer!.hash] } });
    expect(readFileSync(join(w.root, 'model.bin'), 'utf8')).toBe('local edit\n');
    expect(readdirSync(join(w.root, 'model.bin', '..')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(w.root, '.cairn', 'quarantine'))).toEqual([
      expect.stringMatching(new RegExp(`^${pointer!.hash}\\.`)),
    ]);
    expect(await verify(w.root)).toMatchObject({ corrupt: [], missing: [pointer!.hash] });
    // Once a good copy is back (here: re-added from a clean source), checkout restores the original bytes.
    writeFileSync(join(w.root, 'model.bin'), 'weights v1\n');
    await add(w.root, ['model.bin'], { gitignore: false });
    writeFileSync(join(w.root, 'model.bin'), 'local edit\n');
    await checkout(w.root, undefined, { force: true });
    expect(readFileSync(join(w.root, 'model.bin'), 'utf8')).toBe('weights v1\n');
  });

  it('copies an object of many chunks byte for byte, and refuses it when its last byte is corrupt', async () => {
    // Five 4 MiB copy chunks and a ragged tail: every buffer of the copy's pipeline is reused, so a
    // buffer refilled before its write finished would show here as bytes that differ (the hash would not).
    const w = await world();
    const content = bytes(77, 5 * 4 * 1024 * 1024 + 12_345);
    writeFileSync(join(w.root, 'weights.bin'), content);
    const [pointer] = await add(w.root, ['weights.bin'], { gitignore: false });
    rmSync(join(w.root, 'weights.bin'));
    await checkout(w.root, undefined, { link: ['copy'] });
    expect(readFileSync(join(w.root, 'weights.bin')).equals(content)).toBe(true);
    writeFileSync(join(w.root, 'weights.bin'), 'local edit\n');
    flipByte(workspaceObjectPath(w.root, pointer!.hash), content.length - 1);
    await expect(checkout(w.root, undefined, { force: true, link: ['copy'] })).rejects.toMatchObject({
      code: 'STORE_OBJECT_CORRUPT',
    });
    expect(readFileSync(join(w.root, 'weights.bin'), 'utf8')).toBe('local edit\n');
    expect(readdirSync(w.root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a folder with one corrupt member and leaves the whole folder as it was', async () => {
    const w = await world();
    mkdirSync(join(w.root, 'data'));
    for (let i = 0; i < 20; i++)
      writeFileSync(join(w.root, 'data', `f${i}.csv`), `row,${i}\n`.repeat(50 + i));
    const [pointer] = await add(w.root, ['data'], { gitignore: false });
    rmSync(join(w.root, 'data', 'f3.csv'));
    writeFileSync(join(w.root, 'data', 'f4.csv'), 'edited\n');
    flipByte(workspaceObjectPath(w.root, hashBuffer(`row,3\n`.repeat(53))), 7);
    const before = snapshot(join(w.root, 'data'));
    await expect(checkout(w.root, undefined, { force: true })).rejects.toMatchObject({
      code: 'STORE_OBJECT_CORRUPT',
    });
    expect(snapshot(join(w.root, 'data'))).toEqual(before);
    expect(readdirSync(w.root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect((await verify(w.root)).missing).toEqual([hashBuffer(`row,3\n`.repeat(53))]);
    expect(pointer!.nfiles).toBe(20);
  });

  it('refuses a corrupt manifest and quarantines it', async () => {
    const w = await world();
    mkdirSync(join(w.root, 'data'));
    writeFileSync(join(w.root, 'data', 'a.csv'), 'a\n');
    const [pointer] = await add(w.root, ['data'], { gitignore: false });
    rmSync(join(w.root, 'data'), { recursive: true });
    flipByte(workspaceObjectPath(w.root, pointer!.hash), 3);
    await expect(checkout(w.root)).rejects.toMatchObject({ code: 'STORE_OBJECT_CORRUPT' });
    expect(readdirSync(w.root).filter((name) => name === 'data' || name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(w.root, '.cairn', 'quarantine'))[0]).toMatch(new RegExp(`^${pointer!.hash}`));
  });
});

describe('links: no shared inodes by default', () => {
  it('as root, appending to a checked-out file never changes the stored object; checkout --force restores it', async () => {
    const w = await world();
    writeFileSync(join(w.root, 'data.csv'), 'x,y\n1,2\n');
    const [pointer] = await add(w.root, ['data.csv'], { gitignore: false });
    const object = workspaceObjectPath(w.root, pointer!.hash);
    // The default policy, and a config that opts into hardlinks: as root both give private copies.
    for (const link of [undefined, ['hardlink', 'copy'] as const, ['symlink', 'copy'] as const]) {
      rmSync(join(w.root, 'data.csv'));
      await checkout(w.root, undefined, { link: link ? [...link] : undefined });
      expect(lstatSync(join(w.root, 'data.csv')).ino).not.toBe(lstatSync(object).ino);
      execFileSync('sh', ['-c', 'echo extra >> data.csv'], { cwd: w.root });
      expect(execFileSync('b3sum', ['--no-names', object], { encoding: 'utf8' }).trim()).toBe(pointer!.hash);
      await checkout(w.root, undefined, { force: true });
      expect(readFileSync(join(w.root, 'data.csv'), 'utf8')).toBe('x,y\n1,2\n');
    }
    expect(process.getuid?.()).toBe(0);
  });

  it('status and verify name the workspace file that shares a corrupted object inode', async () => {
    const w = await world();
    mkdirSync(join(w.root, 'd'));
    writeFileSync(join(w.root, 'd', 'a.csv'), 'a\n');
    writeFileSync(join(w.root, 'single.csv'), 's\n');
    const [folder, single] = await add(w.root, ['d', 'single.csv'], { gitignore: false });
    // What a hardlink checkout (opt-in, older versions, or another tool) leaves behind.
    const member = hashBuffer('a\n');
    for (const [path, id] of [
      ['d/a.csv', member],
      ['single.csv', single!.hash],
    ] as const) {
      rmSync(join(w.root, path));
      linkSync(workspaceObjectPath(w.root, id), join(w.root, path));
      execFileSync('sh', ['-c', `echo edit >> ${path}`], { cwd: w.root });
    }
    const entries = await status(w.root);
    expect(entries.find((e) => e.path === 'd')?.corruptShared).toEqual([{ id: member, path: 'd/a.csv' }]);
    expect(entries.find((e) => e.path === 'single.csv')?.corruptShared).toEqual([
      { id: single!.hash, path: 'single.csv' },
    ]);
    const result = await verify(w.root, { quarantine: true });
    expect(result.corrupt.sort()).toEqual([member, single!.hash].sort());
    expect(result.shared).toEqual(
      expect.arrayContaining([
        { id: member, path: 'd/a.csv' },
        { id: single!.hash, path: 'single.csv' },
      ]),
    );
    expect(folder!.nfiles).toBe(1);
    expect(await readPointer(join(w.root, 'single.csv.cairn'))).toMatchObject({ hash: single!.hash });
  });
});
