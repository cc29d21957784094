import { execFileSync, spawn } from 'node:child_process';
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

/** A seeded PRNG (mulberry32) in [0, 1): crash tests print the seed so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for a crash test: CAIRN_CRASH_SEED to replay one, else a fresh one; printed either way. */
export function crashSeed(test: string): number {
  const seed = Number(process.env.CAIRN_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));
  console.log(`${test}: seed ${seed} (replay with CAIRN_CRASH_SEED=${seed})`);
  return seed;
}

export interface ChildRun {
  child: import('node:child_process').ChildProcess;
  /** When the child said it had loaded its modules (ms since the epoch). */
  ready: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs a TypeScript test child (compiled on the fly by @swc-node/register) that prints a line once loaded. */
export function spawnTsChild(script: string, args: string[]): ChildRun {
  const child = spawn(
    process.execPath,
    ['--conditions=@cairn/source', '-r', require.resolve('@swc-node/register'), script, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<number>((resolve) => child.stdout!.once('data', () => resolve(Date.now())));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ready, exited };
}

/**
 * Runs `run()` once to completion to learn how long it takes, then `rounds`
 * times with a SIGKILL at a seeded random point inside that duration,
 * calling `check` after each. Returns how many runs the kill interrupted.
 */
export async function killAtRandomPoints(options: {
  rounds: number;
  random: () => number;
  before: (round: number) => Promise<void> | void;
  run: () => ChildRun;
  check: (round: number) => Promise<void>;
}): Promise<number> {
  await options.before(0);
  const first = options.run();
  const started = await first.ready;
  const exit = await first.exited;
  if (exit.code !== 0) throw new Error(`the uninterrupted run failed: ${exit.stderr}`);
  let duration = Date.now() - started;
  await options.check(0);
  let killed = 0;
  for (let round = 1; round <= options.rounds; round++) {
    await options.before(round);
    const run = options.run();
    const delay = options.random() * duration;
    let timer: NodeJS.Timeout | undefined;
    const ready = run.ready.then((at) => {
      timer = setTimeout(() => run.child.kill('SIGKILL'), delay);
      return at;
    });
    const result = await run.exited;
    clearTimeout(timer);
    if (process.env.CAIRN_CRASH_DEBUG)
      console.log(
        `round ${round}: delay ${delay.toFixed(0)} of ${duration} ms, ${result.signal ?? result.code}`,
      );
    if (result.signal === 'SIGKILL') killed++;
    else if (result.code !== 0) throw new Error(`round ${round} failed: ${result.stderr}`);
    // A run that finished before its kill shortens the estimate, so later kills land inside the work.
    else duration = Date.now() - (await ready);
    await options.check(round);
  }
  return killed;
}
