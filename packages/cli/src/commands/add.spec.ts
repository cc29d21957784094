import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workspaceObjectPath } from '@cairn/store';
import { runCli } from '../../test/run-cli';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-store-'));
  dirs.push(dir);
  return dir;
}

const cairn = (cwd: string, ...args: string[]) => runCli(args, { cwd });

// Specs for all data commands (init, add, status, checkout, unprotect, gc, verify), run in-process.
describe('cairn data commands', () => {
  it('init, add, status, checkout round trip with paths relative to the current directory', async () => {
    const root = workspace();
    expect((await cairn(root, 'init')).code).toBe(0);
    expect(existsSync(join(root, '.cairn', 'config.json'))).toBe(true);
    mkdirSync(join(root, 'data', 'raw'), { recursive: true });
    writeFileSync(join(root, 'data', 'raw', 'a.csv'), 'x,y\n1,2\n');
    writeFileSync(join(root, 'data', 'raw', 'b.csv'), 'x,y\n3,4\n');
    const sub = join(root, 'data');

    const added = await cairn(sub, 'add', 'raw', '--json');
    expect(added.code).toBe(0);
    const [pointer] = JSON.parse(added.stdout) as Array<{
      hash: string;
      nfiles: number;
      pointerFile: string;
    }>;
    expect(pointer).toMatchObject({ nfiles: 2, pointerFile: 'data/raw.cairn' });
    expect(readFileSync(join(root, 'data', '.gitignore'), 'utf8')).toBe('/raw\n');

    const clean = await cairn(sub, 'status', '--check');
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toContain('1 tracked, 1 clean');

    writeFileSync(join(root, 'data', 'raw', 'a.csv'), 'changed\n');
    const modified = await cairn(root, 'status', '--check');
    expect(modified.code).toBe(1);
    expect(modified.stdout).toMatch(/modified: +data\/raw \(1 modified\)/);
    const json = JSON.parse((await cairn(root, 'status', '--json', 'data/raw')).stdout) as Array<{
      state: string;
    }>;
    expect(json).toEqual([expect.objectContaining({ path: 'data/raw', state: 'modified' })]);

    const refused = await cairn(root, 'checkout');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('CHECKOUT_WOULD_OVERWRITE');
    expect(readFileSync(join(root, 'data', 'raw', 'a.csv'), 'utf8')).toBe('changed\n');
    const forced = await cairn(root, 'checkout', '--force', '--link', 'copy', '--json');
    // Only the modified file is rewritten; the unchanged one is left alone.
    expect(JSON.parse(forced.stdout)).toMatchObject({ restored: ['data/raw'], links: { copy: 1 } });
    expect(readFileSync(join(root, 'data', 'raw', 'a.csv'), 'utf8')).toBe('x,y\n1,2\n');

    rmSync(join(root, 'data', 'raw'), { recursive: true });
    expect((await cairn(root, 'status')).stdout).toMatch(/missing: +data\/raw/);
    expect((await cairn(root, 'checkout', 'data/raw.cairn')).stdout).toContain('restored data/raw');
    expect((await cairn(root, 'status', '--check')).code).toBe(0);
  });

  it('verify exits 1 on a corrupt object, gc removes unreferenced objects', async () => {
    const root = workspace();
    await cairn(root, 'init');
    writeFileSync(join(root, 'a.txt'), 'alpha');
    writeFileSync(join(root, 'b.txt'), 'beta');
    const [a] = JSON.parse((await cairn(root, 'add', 'a.txt', 'b.txt', '--json')).stdout) as Array<{
      hash: string;
    }>;
    expect((await cairn(root, 'verify')).code).toBe(0);
    const file = workspaceObjectPath(root, a!.hash);
    chmodSync(file, 0o644);
    writeFileSync(file, 'omega');
    const bad = await cairn(root, 'verify', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ checked: 2, corrupt: [a!.hash] });
    expect((await cairn(root, 'verify', '--quarantine')).stdout).toContain('(quarantined)');

    rmSync(join(root, 'b.txt.cairn'));
    const dry = await cairn(root, 'gc', '--dry-run', '--json');
    expect(JSON.parse(dry.stdout)).toMatchObject({
      removed: [{ id: expect.any(String), size: 4 }],
      kept: 0,
      freedBytes: 4,
    });
    expect((await cairn(root, 'gc')).stdout).toContain('removed 1 object(s)');
  });

  it('bad input exits 2 with the error code and changes nothing', async () => {
    const root = workspace();
    await cairn(root, 'init');
    const outside = await cairn(root, 'add', '../elsewhere.csv');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('STORE_PATH_OUTSIDE_WORKSPACE');
    const missing = await cairn(root, 'add', 'nope.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('PATH_NOT_FOUND');
    writeFileSync(join(root, '.cairn', 'config.json'), '{"version": 1, "cache": {"link": ["teleport"]}}');
    writeFileSync(join(root, 'ok.txt'), 'ok');
    const config = await cairn(root, 'add', 'ok.txt');
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('/cache/link/0');
    expect(existsSync(join(root, 'ok.txt.cairn'))).toBe(false);
    const none = workspace();
    expect((await cairn(none, 'status')).stderr).toContain('STORE_NO_WORKSPACE');
    expect((await cairn(root, 'checkout', '--link', 'teleport')).code).toBe(2);
  });

  it('every data command has help', async () => {
    const root = workspace();
    for (const command of ['init', 'add', 'status', 'checkout', 'unprotect', 'gc', 'verify']) {
      const help = await cairn(root, command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`Usage: cairn ${command}`);
    }
  });
});
