import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempDir(prefix = 'cairn-store-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  // Objects are read-only files in writable folders, so a plain recursive rm works.
  rmSync(dir, { recursive: true, force: true });
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function bytes(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes `count` files of 1–8 KiB under `dir` in nested folders; returns relative path → content. */
export function writeTree(dir: string, count: number, seed = 1): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const relative = `part-${i % 10}/group-${Math.floor(i / 100)}/file-${i}.bin`;
    const content = bytes(seed * 100_003 + i, 1024 + ((i * 7919) % (7 * 1024)));
    const file = join(dir, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    files.set(relative, content);
  }
  return files;
}

/** BLAKE3 of files according to the real b3sum binary (the oracle). */
export function b3sum(files: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < files.length; i += 500) {
    const text = execFileSync('b3sum', ['--no-names', ...files.slice(i, i + 500)], { encoding: 'utf8' });
    out.push(...text.trim().split('\n'));
  }
  return out;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  });
}
