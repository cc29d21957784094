import { existsSync, mkdirSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytes,
  cleanup,
  countOps,
  crashRound,
  crashSeed,
  drawOps,
  expectKilled,
  type KillPoint,
  spawnTsChild,
  tempDir,
  writeTree,
} from '../test/helpers';
import { seededRandom } from '../../../tools/test-support/src';
import {
  add,
  checkout,
  gc,
  hasObject,
  initWorkspace,
  listObjectIds,
  readManifestObject,
  serializePointer,
  status,
  storePath,
  verify,
  referencedObjects,
} from './index';

/** Runs test/gc-child.ts in its own Node process, SIGKILLed at `killAt` (a mutating file-system op). */
function spawnGc(root: string, killAt?: KillPoint) {
  return spawnTsChild(join(__dirname, '..', 'test', 'gc-child.ts'), [root], killAt);
}

/** A process killed inside the lock leaves it behind; pretend its stale timeout has passed. */
function ageLock(root: string): void {
  const lock = join(root, '.cairn', 'cache', 'lock.lock');
  if (existsSync(lock)) utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
}

const cacheDir = (root: string) => join(root, '.cairn', 'cache');
const ROUNDS = 21;

describe('gc crash safety', () => {
  let root: string;
  /** Every object the workspace needs, computed from the pointers written below (independently of gc's walker). */
  let needed: string[];

  beforeAll(async () => {
    root = tempDir('cairn-gc-crash-');
    await initWorkspace(root);
    writeTree(join(root, 'data'), 60, 1);
    const pointers = await add(root, ['data']);
    // A trained artifact whose pointer lives only under dist/cairn, and one only in an Nx cache entry.
    for (const [seedOf, file] of [
      [2, 'dist/cairn/models/m/train/model.cairn'],
      [3, '.nx/cache/123/dist/cairn/models/n/train/model.cairn'],
    ] as const) {
      writeTree(join(root, 'scratch'), 20, seedOf);
      const pointer = await storePath(root, join(root, 'scratch'));
      rmSync(join(root, 'scratch'), { recursive: true });
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), serializePointer({ ...pointer, path: 'model' }));
      pointers.push(pointer);
    }
    needed = await referencedObjects(root, pointers);
    expect(needed).toHaveLength(1 + 60 + 2 * (1 + 20));
  });
  afterAll(() => cleanup(root));

  /** Everything the workspace refers to is stored, and no stored manifest lists a missing file. */
  async function expectNothingNeededLost(): Promise<void> {
    for (const id of needed) expect(await hasObject(root, id), id).toBe(true);
    for (const id of (await listObjectIds(cacheDir(root))).filter((id) => id.endsWith('.dir'))) {
      for (const entry of await readManifestObject(cacheDir(root), id))
        expect(await hasObject(root, entry.hash), `${id} lists ${entry.hash}`).toBe(true);
    }
    expect((await status(root)).map((entry) => entry.state)).toEqual(['clean']);
  }

  it(`loses nothing still needed when \`gc\` is SIGKILLed at seeded file-system ops (${ROUNDS} times)`, async () => {
    const random = seededRandom(crashSeed('gc crash'));
    /** New garbage each round, always as much: a folder and a file stored, then their pointers deleted. */
    const makeGarbage = async (round: number) => {
      writeTree(join(root, 'junk'), 60, 1000 + round);
      writeFileSync(join(root, 'junk.bin'), bytes(round, 5000));
      await add(root, ['junk', 'junk.bin']);
      unlinkSync(join(root, 'junk.cairn'));
      unlinkSync(join(root, 'junk.bin.cairn'));
    };
    // An uninterrupted gc: how many mutating ops it performs, and which of them delete objects. Each
    // deletion is an fs.promises.rm that unlinks (two counted ops), one after the other.
    await makeGarbage(0);
    const ops = await countOps(spawnGc(root));
    const firstDeletion = ops.first.rm!;
    expect(ops.counts.rm).toBe(ops.counts.unlink);
    expect(ops.last.unlink! - firstDeletion + 1).toBe(2 * ops.counts.rm!);
    expect(ops.counts.rm).toBeGreaterThan(2);
    await expectNothingNeededLost();
    // Even rounds: strictly inside the deletions, counted in rm ops (the first deletion done, the last not
    // started), so a kill in the middle of deleting is certain even when the work before the deletions
    // (a racy stat-index rewrite) takes a different number of ops; odd rounds: anywhere in the run. Each
    // set spread over its range.
    const deletionKills = drawOps(random, 2, ops.counts.rm! - 1, Math.floor(ROUNDS / 2)).map((point) => ({
      ...point,
      kind: 'rm',
    }));
    const anywhereKills = drawOps(random, 1, ops.total, Math.ceil(ROUNDS / 2));

    for (let round = 1; round <= ROUNDS; round++) {
      await makeGarbage(round);
      const before = (await listObjectIds(cacheDir(root))).length;
      const midDeletion = round % 2 === 0;
      const killAt = (midDeletion ? deletionKills : anywhereKills).pop()!;
      if (midDeletion) await expectKilled(spawnGc(root, killAt), round, killAt);
      // A run anywhere can take a few ops fewer than the counted one (a lock taken at the first try):
      // one that finished before its kill point is re-run on the same garbage, killed inside its own ops.
      else
        await crashRound(
          round,
          killAt,
          (at) => spawnGc(root, at),
          () => makeGarbage(round),
          random,
        );
      if (midDeletion) {
        const after = (await listObjectIds(cacheDir(root))).length;
        expect(after).toBeLessThan(before);
        expect(after).toBeGreaterThan(needed.length);
      }
      ageLock(root);
      await expectNothingNeededLost();
      if (round % 5 === 0) expect(await verify(root)).toMatchObject({ corrupt: [], missing: [] });
      // Finish what the killed run left, so every round starts with the same garbage and the same ops.
      await gc(root);
      expect(await listObjectIds(cacheDir(root))).toEqual(needed);
    }

    // A normal gc afterwards removes all the garbage, and the data still checks out.
    const last = spawnGc(root);
    expect(await last.exited).toMatchObject({ code: 0 });
    expect(await listObjectIds(cacheDir(root))).toEqual(needed);
    rmSync(join(root, 'data'), { recursive: true });
    await checkout(root, ['data']);
    await expectNothingNeededLost();
    expect(await verify(root)).toMatchObject({ corrupt: [], missing: [] });
  }, 300_000);
});
