import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cliRoot = join(__dirname, '..');
const bin = join(cliRoot, 'bin', 'cairn.js');
const { version } = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')) as { version: string };

describe('bin/cairn.js', () => {
  it('needs the built CLI', () => {
    // The bin runs dist/: a missing build is a failure with the command that makes it.
    expect(existsSync(join(cliRoot, 'dist', 'version.js')), 'run `npx tsc -b tsconfig.build.json`').toBe(
      true,
    );
  });

  it('answers --version and -V on the fast path with the package version, as commander would', () => {
    for (const flag of ['--version', '-V']) {
      expect(execFileSync(process.execPath, [bin, flag], { encoding: 'utf8' })).toBe(`${version}\n`);
    }
  });

  it('leaves anything else to the full CLI (help, usage errors, --version with more arguments)', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: cairn');
    const bogus = spawnSync(process.execPath, [bin, '--bogus'], { encoding: 'utf8' });
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toContain("unknown option '--bogus'");
    // Commander answers this one itself: the same line the fast path prints.
    expect(execFileSync(process.execPath, [bin, '-V', 'hash'], { encoding: 'utf8' })).toBe(`${version}\n`);
  });
});
