import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listObjectIds } from '@cairn/store';
import { runCli } from '../../test/run-cli';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const cairn = (cwd: string, ...args: string[]) => runCli(args, { cwd });
const objects = (root: string) => listObjectIds(join(root, '.cairn', 'cache'));
/** The `  <id>  <size>` lines gc prints for the objects it removes. */
const listed = (stdout: string) => stdout.split('\n').filter((line) => /^ {2}[0-9a-f]{64}/.test(line));

describe('cairn gc', () => {
  it('prints what it removes with sizes and a total; --dry-run prints exactly that list and removes nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cairn-cli-gc-'));
    dirs.push(root);
    expect((await cairn(root, 'init')).code).toBe(0);
    mkdirSync(join(root, 'drop'));
    for (let i = 0; i < 3; i++) writeFileSync(join(root, 'drop', `f${i}.txt`), 'x'.repeat(100 * (i + 1)));
    writeFileSync(join(root, 'keep.txt'), 'keep me');
    expect((await cairn(root, 'add', 'drop', 'keep.txt')).code).toBe(0);
    unlinkSync(join(root, 'drop.cairn'));
    const before = await objects(root);
    expect(before).toHaveLength(5);

    const dry = await cairn(root, 'gc', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(listed(dry.stdout)).toHaveLength(4);
    expect(listed(dry.stdout)).toEqual(expect.arrayContaining([expect.stringMatching(/ 300 B$/)]));
    expect(dry.stdout).toMatch(/would remove 4 object\(s\), .* in total; kept 1/);
    expect(await objects(root)).toEqual(before);

    const json = JSON.parse((await cairn(root, 'gc', '--dry-run', '--json')).stdout) as {
      dryRun: boolean;
      removed: Array<{ id: string; size: number }>;
      freedBytes: number;
    };
    expect(json.dryRun).toBe(true);
    expect(json.removed.map((object) => object.size).sort((a, b) => a - b)).toEqual([
      100,
      200,
      300,
      expect.any(Number),
    ]);
    expect(json.freedBytes).toBe(json.removed.reduce((sum, object) => sum + object.size, 0));

    const real = await cairn(root, 'gc');
    expect(real.code, real.stderr).toBe(0);
    expect(listed(real.stdout)).toEqual(listed(dry.stdout));
    expect(real.stdout).toMatch(/removed 4 object\(s\)/);
    expect(await objects(root)).toEqual(
      before.filter((id) => !json.removed.some((object) => object.id === id)),
    );
  });
});
