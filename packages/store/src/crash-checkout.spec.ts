import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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
} from '../test/helpers';
import { seededRandom } from '../../../tools/test-support/src';
import {
  add,
  checkout,
  initWorkspace,
  listPointers,
  referencedObjects,
  hasObject,
  status,
  verify,
} from './index';

const FILES = 120;
const ROUNDS = 25;

/** Version `v` (0 or 1) of the data: about half the files differ, a few exist in one version only. */
function version(v: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < FILES; i++) {
    if ((v === 0 && i % 17 === 5) || (v === 1 && i % 19 === 3)) continue;
    const seed = i % 2 === 0 ? i : i + v * 100_000;
    files.set(`part-${i % 6}/file-${i}.bin`, bytes(seed + 1, 2048 + ((i * 7919) % 6144)));
  }
  // Large files that differ between versions, so writing is a good part of each run (and of the kills).
  for (let i = 0; i < 2; i++) files.set(`large-${i}.bin`, bytes(v * 10 + i + 900, 8 * 1024 * 1024));
  return files;
}

function writeVersion(dir: string, files: Map<string, Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, content] of files) {
    const file = join(dir, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? walk(dir, rel) : [rel];
  });
}

describe('checkout crash safety', () => {
  let root: string;
  const versions = [version(0), version(1)];
  const pointerText: string[][] = [];

  beforeAll(async () => {
    root = tempDir('cairn-crash-checkout-');
    await initWorkspace(root);
    for (const v of [0, 1]) {
      writeVersion(join(root, 'big'), versions[v]!);
      writeFileSync(join(root, 'single.bin'), bytes(v + 500, 6 * 1024 * 1024));
      await add(root, ['big', 'single.bin']);
      pointerText.push(['big.cairn', 'single.bin.cairn'].map((f) => readFileSync(join(root, f), 'utf8')));
    }
  });
  afterAll(() => cleanup(root));

  it(`leaves every file with its old or its new bytes when checkout is SIGKILLed (${ROUNDS} seeded file-system ops)`, async () => {
    const random = seededRandom(crashSeed('checkout crash'));
    const singles = [0, 1].map((v) => bytes(v + 500, 6 * 1024 * 1024));
    const checkInvariants = async (round: number): Promise<void> => {
      // A kill inside the lock leaves it; pretend its stale timeout has passed.
      const lock = join(root, '.cairn', 'cache', 'lock.lock');
      if (existsSync(lock)) utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      for (const rel of walk(join(root, 'big'))) {
        const content = readFileSync(join(root, 'big', rel));
        const known = versions.filter((files) => files.get(rel)?.equals(content));
        expect(known.length, `big/${rel} holds a mix of versions`).toBeGreaterThan(0);
      }
      // A file both versions have is never missing, not even for a moment of the swap.
      for (const rel of versions[0]!.keys())
        if (versions[1]!.has(rel)) expect(existsSync(join(root, 'big', rel)), `big/${rel}`).toBe(true);
      const single = readFileSync(join(root, 'single.bin'));
      expect(singles.some((content) => content.equals(single))).toBe(true);
      // Leftovers are only checkout's own hidden temp siblings, which the next checkout sweeps.
      for (const name of readdirSync(root))
        if (!['big', 'big.cairn', 'single.bin', 'single.bin.cairn', '.cairn', '.gitignore'].includes(name))
          expect(name).toMatch(/^\.(big|single\.bin)\.cairn-[0-9a-f]{8}\.tmp$/);
      // The full rehash of the store runs every fifth round (and at the end); the pointers' objects every round.
      if (round % 5 === 0) {
        const result = await verify(root);
        expect(result.corrupt).toEqual([]);
        expect(result.missing).toEqual([]);
      }
      const pointers = (await listPointers(root)).map((record) => record.pointer);
      for (const id of await referencedObjects(root, pointers)) expect(await hasObject(root, id)).toBe(true);
    };
    const pointTo = (v: number): void => {
      writeFileSync(join(root, 'big.cairn'), pointerText[v]![0]!);
      writeFileSync(join(root, 'single.bin.cairn'), pointerText[v]![1]!);
    };
    /**
     * The same starting point for every checkout of version `v`: the other version checked out whole
     * (which also finishes after the previous kill), then the pointers switched to `v`. Every checkout
     * of `v` then performs the same file-system ops.
     */
    const prepare = async (v: number): Promise<void> => {
      pointTo(1 - v);
      await checkout(root, undefined, { force: true });
      pointTo(v);
    };
    const spawnCheckout = (killAt?: KillPoint) =>
      spawnTsChild(join(__dirname, '..', 'test', 'checkout-child.ts'), [root], killAt);
    const totals: number[] = [];
    for (const v of [0, 1]) {
      await prepare(v);
      totals.push((await countOps(spawnCheckout())).total);
      await checkInvariants(0);
    }
    // Rounds alternate between the versions; each version's kills spread over the whole of its checkout.
    const killsOf = [0, 1].map((v) => drawOps(random, 1, totals[v]!, Math.floor((ROUNDS + v) / 2)));
    for (let round = 1; round <= ROUNDS; round++) {
      const v = round % 2;
      await prepare(v);
      const killAt = killsOf[v]!.pop()!;
      await crashRound(round, killAt, spawnCheckout, () => prepare(v), random);
      await checkInvariants(round);
    }

    // A last, uninterrupted checkout restores the pointers' version exactly and sweeps the temp siblings.
    const last = spawnTsChild(join(__dirname, '..', 'test', 'checkout-child.ts'), [root]);
    expect((await last.exited).code).toBe(0);
    expect((await status(root)).map((entry) => entry.state)).toEqual(['clean', 'clean']);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const expected = versions[ROUNDS % 2]!;
    expect((await verify(root)).corrupt).toEqual([]);
    expect(walk(join(root, 'big')).sort()).toEqual([...expected.keys()].sort());
  }, 300_000);
});
