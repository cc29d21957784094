import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, cleanup, tempDir, writeTree } from '../test/helpers';
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

/** A small seeded PRNG (mulberry32), so a failing schedule of kills can be replayed with CAIRN_TEST_SEED. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function spawnGc(root: string) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cairn/source',
      '-r',
      require.resolve('@swc-node/register'),
      join(__dirname, '..', 'test', 'gc-child.ts'),
      root,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<number>((resolve) => child.stdout.once('data', () => resolve(Date.now())));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited, ready };
}

/** A process killed inside the lock leaves it behind; pretend its stale timeout has passed. */
function ageLock(root: string): void {
  const lock = join(root, '.cairn', 'cache', 'lock.lock');
  if (existsSync(lock)) utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
}

const cacheDir = (root: string) => join(root, '.cairn', 'cache');

describe('gc crash safety', () => {
  const seed = Number(process.env.CAIRN_TEST_SEED ?? randomInt(2 ** 31));
  const random = prng(seed);
  let root: string;
  /** Every object the workspace needs, computed from the pointers written below (independently of gc's walker). */
  let needed: string[];

  beforeAll(async () => {
    console.log(`gc crash spec: seed ${seed} (replay with CAIRN_TEST_SEED=${seed})`);
    root = tempDir('cairn-gc-crash-');
    await initWorkspace(root);
    writeTree(join(root, 'data'), 200, 1);
    const pointers = await add(root, ['data']);
    // A trained artifact whose pointer lives only under dist/cairn, and one only in an Nx cache entry.
    for (const [seedOf, file] of [
      [2, 'dist/cairn/models/m/train/model.cairn'],
      [3, '.nx/cache/123/dist/cairn/models/n/train/model.cairn'],
    ] as const) {
      writeTree(join(root, 'scratch'), 50, seedOf);
      const pointer = await storePath(root, join(root, 'scratch'));
      rmSync(join(root, 'scratch'), { recursive: true });
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), serializePointer({ ...pointer, path: 'model' }));
      pointers.push(pointer);
    }
    needed = await referencedObjects(root, pointers);
    expect(needed).toHaveLength(1 + 200 + 2 * (1 + 50));
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

  it('loses nothing still needed when `gc` is SIGKILLed at seeded random points (21 times)', async () => {
    /** New garbage each round: a folder and a file stored, then their pointers deleted. */
    const makeGarbage = async (round: number) => {
      writeTree(join(root, 'junk'), 400, 1000 + round);
      writeFileSync(join(root, 'junk.bin'), bytes(round, 5000));
      await add(root, ['junk', 'junk.bin']);
      unlinkSync(join(root, 'junk.cairn'));
      unlinkSync(join(root, 'junk.bin.cairn'));
    };
    await makeGarbage(0);
    const full = spawnGc(root);
    const started = await full.ready;
    const first = await full.exited;
    expect(first, first.stderr).toMatchObject({ code: 0 });
    // Kills land uniformly inside a whole gc once modules are loaded; a round that finishes first shortens it.
    let duration = Date.now() - started;
    await expectNothingNeededLost();

    let killed = 0;
    let interruptedMidDeletion = 0;
    for (let round = 1; round <= 21; round++) {
      await makeGarbage(round);
      const before = (await listObjectIds(cacheDir(root))).length;
      const run = spawnGc(root);
      const delay = random() * duration;
      let timer: NodeJS.Timeout | undefined;
      const ready = run.ready.then((at) => {
        timer = setTimeout(() => run.child.kill('SIGKILL'), delay);
        return at;
      });
      const exit = await run.exited;
      clearTimeout(timer);
      if (exit.signal === 'SIGKILL') {
        killed++;
        const after = (await listObjectIds(cacheDir(root))).length;
        if (after < before && after > needed.length) interruptedMidDeletion++;
      } else {
        expect(exit, exit.stderr).toMatchObject({ code: 0 });
        duration = Date.now() - (await ready);
      }
      ageLock(root);
      await expectNothingNeededLost();
      if (round % 5 === 0) expect(await verify(root)).toMatchObject({ corrupt: [], missing: [] });
      // Finish what the killed run left, so every round starts with the same amount of garbage and the kill
      // window (measured on a whole run) stays true.
      await gc(root);
      expect(await listObjectIds(cacheDir(root))).toEqual(needed);
    }
    console.log(
      `gc crash spec: ${killed} of 21 runs killed, ${interruptedMidDeletion} in the middle of deleting`,
    );
    expect(killed).toBeGreaterThanOrEqual(10);
    expect(interruptedMidDeletion).toBeGreaterThanOrEqual(1);

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
