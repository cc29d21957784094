import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  initWorkspace,
  loadConfig,
  workspaceObjectPath,
  readPointer,
  referencedObjects,
  saveConfig,
  status,
  verify,
} from '@cairn/store';
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
} from '../../store/test/helpers';
import { seededRandom } from '../../../tools/test-support/src';
import { checkoutRepairing, LocalRemote, openWorkspaceRemote, pullWorkspace, pushObjects } from '../src';

const ROUNDS = 21;

/** Version `v` of a tracked folder: half the files differ between versions, a few exist in one only. */
function version(v: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < 100; i++) {
    if ((v === 0 && i % 13 === 4) || (v === 1 && i % 11 === 2)) continue;
    files.set(
      `p${i % 4}/f${i}.bin`,
      bytes((i % 2 === 0 ? i : i + v * 50_000) + 7, 1024 + ((i * 131) % 8192)),
    );
  }
  for (let i = 0; i < 2; i++) files.set(`large-${i}.bin`, bytes(v * 10 + i + 77, 6 * 1024 * 1024));
  return files;
}

function walk(dir: string, prefix = ''): string[] {
  if (!existsSync(join(dir, prefix))) return [];
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? walk(dir, rel) : [rel];
  });
}

describe('pull crash safety', () => {
  let top: string;
  let origin: string;
  let clone: string;
  const versions = [version(0), version(1)];
  const pointerTexts: string[] = [];
  /** Objects each version needs that the other does not. */
  const ownObjects: string[][] = [];

  beforeAll(async () => {
    top = tempDir('cairn-crash-pull-');
    origin = join(top, 'origin');
    clone = join(top, 'clone');
    const remoteDir = join(top, 'remote');
    await initWorkspace(origin);
    const needed: string[][] = [];
    for (const v of [0, 1]) {
      rmSync(join(origin, 'data'), { recursive: true, force: true });
      for (const [rel, content] of versions[v]!) {
        mkdirSync(join(origin, 'data', rel, '..'), { recursive: true });
        writeFileSync(join(origin, 'data', rel), content);
      }
      const [pointer] = await add(origin, ['data']);
      pointerTexts.push(readFileSync(join(origin, 'data.cairn'), 'utf8'));
      needed.push(await referencedObjects(origin, [pointer!]));
    }
    for (const v of [0, 1]) ownObjects.push(needed[v]!.filter((id) => !needed[1 - v]!.includes(id)));
    await pushObjects(
      join(origin, '.cairn', 'cache'),
      [...needed[0]!, ...needed[1]!],
      new LocalRemote(remoteDir),
    );
    await initWorkspace(clone);
    const config = await loadConfig(clone);
    await saveConfig(clone, { ...config, remotes: { origin: { url: remoteDir } }, defaultRemote: 'origin' });
  });
  afterAll(() => cleanup(top));

  it(`leaves a sound store and old-or-new files when pull is SIGKILLed (${ROUNDS} seeded file-system ops)`, async () => {
    const random = seededRandom(crashSeed('pull crash'));
    const pointTo = (v: number) => writeFileSync(join(clone, 'data.cairn'), pointerTexts[v]!);
    /**
     * The same starting point for every pull of version `v`: the other version pulled and checked out
     * whole (which also finishes after the previous kill), `v`'s own objects dropped from the store, the
     * pointer switched to `v`. Every pull of `v` then downloads and replaces the same things.
     */
    const prepare = async (v: number): Promise<void> => {
      pointTo(1 - v);
      const { remote } = await openWorkspaceRemote(clone);
      try {
        expect((await pullWorkspace(clone, remote)).unavailable).toEqual([]);
        await checkoutRepairing(clone, undefined, { force: true }, remote);
      } finally {
        await remote.close();
      }
      for (const id of ownObjects[v]!) rmSync(workspaceObjectPath(clone, id), { force: true });
      pointTo(v);
      expect((await readPointer(join(clone, 'data.cairn'))).path).toBe('data');
    };
    const check = async (): Promise<void> => {
      // A kill inside the lock leaves it; pretend its stale timeout has passed.
      const lock = join(clone, '.cairn', 'cache', 'lock.lock');
      if (existsSync(lock)) utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      for (const rel of walk(join(clone, 'data'))) {
        const content = readFileSync(join(clone, 'data', rel));
        expect(
          versions.some((files) => files.get(rel)?.equals(content)),
          `data/${rel} holds a mix of versions`,
        ).toBe(true);
      }
      for (const rel of versions[0]!.keys())
        if (versions[1]!.has(rel)) expect(existsSync(join(clone, 'data', rel)), `data/${rel}`).toBe(true);
      // Every object that arrived is whole and verified; those not yet pulled are simply absent.
      expect((await verify(clone)).corrupt).toEqual([]);
    };
    const spawnPull = (killAt?: KillPoint) => spawnTsChild(join(__dirname, 'pull-child.ts'), [clone], killAt);
    const totals: number[] = [];
    for (const v of [0, 1]) {
      await prepare(v);
      totals.push((await countOps(spawnPull())).total);
      await check();
    }
    // Rounds alternate between the versions; each version's kills spread over the whole of its pull.
    const killsOf = [0, 1].map((v) => drawOps(random, 1, totals[v]!, Math.floor((ROUNDS + v) / 2)));
    for (let round = 1; round <= ROUNDS; round++) {
      const v = round % 2;
      await prepare(v);
      const killAt = killsOf[v]!.pop()!;
      await crashRound(round, killAt, spawnPull, () => prepare(v), random);
      await check();
    }

    const last = spawnTsChild(join(__dirname, 'pull-child.ts'), [clone]);
    const exit = await last.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(await verify(clone)).toMatchObject({ corrupt: [], missing: [] });
    expect((await status(clone)).map((entry) => entry.state)).toEqual(['clean']);
    expect(walk(join(clone, 'data')).sort()).toEqual([...versions[ROUNDS % 2]!.keys()].sort());
  }, 300_000);
});
