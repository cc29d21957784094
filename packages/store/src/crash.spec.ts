import { cpSync, existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, cleanup, spawnTsChild, tempDir, writeTree } from '../test/helpers';
import { seededRandom } from '../../../tools/test-support/src';
import { checkout, hasObject, initWorkspace, listPointers, referencedObjects, status, verify } from './index';

/** Runs test/add-child.ts in its own Node process (TypeScript compiled on the fly by @swc-node/register). */
function spawnAdd(root: string, paths: string[]) {
  return spawnTsChild(join(__dirname, '..', 'test', 'add-child.ts'), [root, ...paths]);
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
  const SMALL = 300;

  beforeAll(async () => {
    root = tempDir('cairn-crash-');
    await initWorkspace(root);
    writeTree(join(root, 'big'), SMALL, 7);
    // A file above the whole-read limit, so the streaming copy is killed too.
    writeFileSync(join(root, 'big', 'large-a.bin'), bytes(1, 9 * 1024 * 1024));
  });
  afterAll(() => cleanup(root));

  it('leaves a consistent store when `add` is SIGKILLed at random points (21 times)', async () => {
    const full = spawnAdd(root, ['big']);
    const started = await full.ready;
    const first = await full.exited;
    expect(first, first.stderr).toMatchObject({ code: 0 });
    // How long the add itself takes once modules are loaded; kills land uniformly inside it. Later rounds
    // store fewer objects, so a round that finishes before its kill shortens the estimate.
    let duration = Date.now() - started;
    await expectConsistent(root);

    // Where inside the add each kill lands (a fraction of its duration): seeded, so a failing round can be replayed.
    const killAt = seededRandom(20_251_201);
    let killedMidway = 0;
    for (let round = 1; round <= 21; round++) {
      // New content for ~15% of the files (and one large file every third round), so each add has objects to write.
      for (let i = round % 7; i < SMALL; i += 7) {
        const rel = `part-${i % 10}/group-${Math.floor(i / 100)}/file-${i}.bin`;
        writeFileSync(join(root, 'big', rel), bytes(round * 1_000_003 + i, 1024 + ((i * round) % 7168)));
      }
      if (round % 3 === 0)
        writeFileSync(join(root, 'big', 'large-a.bin'), bytes(round + 10, 9 * 1024 * 1024));
      const run = spawnAdd(root, ['big']);
      let timer: NodeJS.Timeout | undefined;
      const ready = run.ready.then((at) => {
        timer = setTimeout(() => run.child.kill('SIGKILL'), killAt() * duration);
        return at;
      });
      const exit = await run.exited;
      clearTimeout(timer);
      if (exit.signal === 'SIGKILL') killedMidway++;
      else {
        expect(exit, exit.stderr).toMatchObject({ code: 0 });
        duration = Date.now() - (await ready);
      }
      ageLock(root);
      // The pointer is always whole and valid (the new one or the previous one), its objects all stored;
      // the full rehash of every object runs every fifth round and at the end.
      await expectPointerComplete(root);
      if (round % 5 === 0) await expectConsistent(root);
    }
    expect(killedMidway).toBeGreaterThanOrEqual(10);

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
