import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytes,
  cleanup,
  countOps,
  crashSeed,
  drawOps,
  crashRound,
  type KillPoint,
  spawnTsChild,
  tempDir,
  writeTree,
} from '../test/helpers';
import { seededRandom } from '../../../tools/test-support/src';
import {
  add,
  checkout,
  hasObject,
  initWorkspace,
  listPointers,
  workspaceObjectPath,
  referencedObjects,
  status,
  verify,
} from './index';

/** Runs test/add-child.ts in its own Node process, SIGKILLed at `killAt` (a mutating file-system op). */
function spawnAdd(root: string, paths: string[], killAt?: KillPoint) {
  return spawnTsChild(join(__dirname, '..', 'test', 'add-child.ts'), [root, ...paths], killAt);
}

/** A process killed inside the lock leaves it behind; pretend its 10 s stale timeout has passed. */
function ageLock(root: string): void {
  const lock = join(root, '.cairn', 'cache', 'lock.lock');
  if (existsSync(lock)) utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
}

/** Cheap check after each kill: the pointer parses and every object it needs is in the store. */
async function expectPointerComplete(root: string): Promise<void> {
  const pointers = (await listPointers(root)).map((record) => record.pointer);
  for (const id of await referencedObjects(root, pointers)) expect(await hasObject(root, id), id).toBe(true);
}

async function expectConsistent(root: string): Promise<void> {
  const result = await verify(root);
  expect(result.corrupt).toEqual([]);
  expect(result.missing).toEqual([]);
  expect(result.checked).toBeGreaterThan(0);
}

describe('crash safety', () => {
  let root: string;
  const ROUNDS = 21;
  /** Two versions of the data: a third of the small files and the large file differ. */
  const versions = [0, 1].map((v) => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 120; i++)
      files.set(
        `part-${i % 10}/file-${i}.bin`,
        bytes((i % 3 === 0 ? v * 1_000_003 : 0) + i + 1, 1024 + ((i * 7919) % 7168)),
      );
    // Above the whole-read limit, so the streaming copy is killed too.
    files.set('large-a.bin', bytes(v + 10, 9 * 1024 * 1024));
    return files;
  });
  /** Objects each version needs that the other does not. */
  const ownObjects: string[][] = [];

  /**
   * The same starting point for every add of version `v`: the other version stored and pointed to,
   * `v`'s own objects absent, `v` on disk. Every add of `v` then performs the same file-system ops.
   */
  async function prepare(v: number): Promise<void> {
    for (const [rel, content] of versions[1 - v]!) writeFileSync(join(root, 'big', rel), content);
    await add(root, ['big']);
    for (const id of ownObjects[v]!) rmSync(workspaceObjectPath(root, id), { force: true });
    for (const [rel, content] of versions[v]!) writeFileSync(join(root, 'big', rel), content);
  }

  beforeAll(async () => {
    root = tempDir('cairn-crash-');
    await initWorkspace(root);
    const needed: string[][] = [];
    for (const files of versions) {
      for (const [rel, content] of files) {
        mkdirSync(join(root, 'big', rel, '..'), { recursive: true });
        writeFileSync(join(root, 'big', rel), content);
      }
      needed.push(await referencedObjects(root, await add(root, ['big'])));
    }
    for (const v of [0, 1]) ownObjects.push(needed[v]!.filter((id) => !needed[1 - v]!.includes(id)));
  });
  afterAll(() => cleanup(root));

  it(`leaves a consistent store when \`add\` is SIGKILLed at seeded file-system ops (${ROUNDS} times)`, async () => {
    const random = seededRandom(crashSeed('add crash'));
    // An uninterrupted add of each version: how many mutating ops it performs.
    const totals: number[] = [];
    for (const v of [0, 1]) {
      await prepare(v);
      totals.push((await countOps(spawnAdd(root, ['big']))).total);
      await expectConsistent(root);
    }
    // Rounds alternate between the versions; each version's kills spread over the whole of its add, and
    // four more over its last eight ops, where the pointer is written (each pair of ops gets one).
    const killsOf = [0, 1].map((v) => [
      ...drawOps(random, 1, totals[v]! - 8, Math.floor((ROUNDS + v) / 2) - 4),
      ...drawOps(random, totals[v]! - 7, totals[v]!, 4),
    ]);

    for (let round = 1; round <= ROUNDS; round++) {
      const v = round % 2;
      await prepare(v);
      const killAt = killsOf[v]!.pop()!;
      await crashRound(
        round,
        killAt,
        (at) => spawnAdd(root, ['big'], at),
        () => prepare(v),
        random,
      );
      ageLock(root);
      // The pointer is always whole and valid (the new one or the previous one), its objects all stored;
      // the full rehash of every object runs every fifth round and at the end.
      await expectPointerComplete(root);
      if (round % 5 === 0) await expectConsistent(root);
    }

    // After all that, a normal add and a round trip still work.
    const last = spawnAdd(root, ['big']);
    expect(await last.exited).toMatchObject({ code: 0 });
    const snapshot = tempDir('cairn-crash-copy-');
    cpSync(join(root, 'big'), snapshot, { recursive: true });
    rmSync(join(root, 'big'), { recursive: true });
    await checkout(root);
    expect((await status(root))[0]!.state).toBe('clean');
    expect(
      readFileSync(join(root, 'big', 'large-a.bin')).equals(readFileSync(join(snapshot, 'large-a.bin'))),
    ).toBe(true);
    cleanup(snapshot);
    await expectConsistent(root);
  }, 300_000);
});

describe('concurrency', () => {
  it('two processes adding overlapping data at the same time both succeed', async () => {
    const root = tempDir('cairn-concurrent-');
    try {
      await initWorkspace(root);
      const a = writeTree(join(root, 'a'), 200, 3);
      cpSync(join(root, 'a', 'part-1'), join(root, 'b', 'part-1'), { recursive: true });
      cpSync(join(root, 'a', 'part-2'), join(root, 'b', 'part-2'), { recursive: true });
      writeTree(join(root, 'b', 'own'), 40, 4);
      cpSync(join(root, 'a'), join(root, 'c'), { recursive: true });

      // Overlapping content in different folders, and the very same folder twice.
      const runs = [
        spawnAdd(root, ['a']),
        spawnAdd(root, ['b']),
        spawnAdd(root, ['c']),
        spawnAdd(root, ['c']),
      ];
      for (const run of runs) {
        const exit = await run.exited;
        expect(exit, exit.stderr).toMatchObject({ code: 0 });
      }
      const pointers = await listPointers(root);
      expect(pointers.map((p) => p.pointer.path)).toEqual(['a', 'b', 'c']);
      expect(pointers[0]!.pointer.hash).toBe(pointers[2]!.pointer.hash);
      await expectConsistent(root);
      rmSync(join(root, 'a'), { recursive: true });
      await checkout(root, ['a']);
      for (const [rel, content] of a) expect(readFileSync(join(root, 'a', rel)).equals(content)).toBe(true);
    } finally {
      cleanup(root);
    }
  }, 90_000);
});
