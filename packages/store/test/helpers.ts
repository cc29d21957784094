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

/** The seed of a crash spec: CAIRN_TEST_SEED to replay one, else a fresh one; printed either way. */
export function crashSeed(test: string): number {
  const seed = Number(process.env.CAIRN_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`${test}: seed ${seed} (replay with CAIRN_TEST_SEED=${seed})`);
  return seed;
}

/** What a child's file-system counter (test/kill-at-op.ts) saw: M mutating ops, where each kind came first and last. */
export interface OpReport {
  total: number;
  first: Record<string, number>;
  last: Record<string, number>;
  /** Main-thread ops of each kind (worker ops count in `total` only). */
  counts: Record<string, number>;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Absent when the child was killed before it could print it. */
  ops?: OpReport;
}

/** Where a child is SIGKILLed: just before or just after its `op`-th mutating file-system op (from 1). */
export interface KillPoint {
  op: number;
  after: boolean;
  /** Count `op` in ops of this kind only (e.g. the 3rd `rm`), see kill-at-op.ts. */
  kind?: string;
}

export interface ChildRun {
  child: import('node:child_process').ChildProcess;
  exited: Promise<ChildExit>;
}

/**
 * Runs a TypeScript test child (compiled on the fly by @swc-node/register) with test/kill-at-op.ts
 * preloaded: it counts the child's mutating file-system ops and SIGKILLs it at op `killAtOp`
 * (never when omitted), so where a kill lands does not depend on the machine's speed.
 */
export function spawnTsChild(script: string, args: string[], killAt?: KillPoint): ChildRun {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cairn/source',
      '-r',
      require.resolve('@swc-node/register'),
      '-r',
      join(__dirname, 'kill-at-op.ts'),
      script,
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CAIRN_KILL_AT_OP: killAt === undefined ? 'Infinity' : String(killAt.op),
        CAIRN_KILL_AFTER: killAt?.after ? '1' : '0',
        CAIRN_KILL_KIND: killAt?.kind ?? '',
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ChildExit>((resolve) =>
    child.on('close', (code, signal) => {
      const line = /^cairn-ops (.*)$/m.exec(stdout)?.[1];
      resolve({ code, signal, stderr, ops: line ? (JSON.parse(line) as OpReport) : undefined });
    }),
  );
  return { child, exited };
}

/** Runs a child to completion (no kill) and returns its op report; fails with its stderr otherwise. */
export async function countOps(run: ChildRun): Promise<OpReport> {
  const exit = await run.exited;
  if (exit.code !== 0 || !exit.ops)
    throw new Error(`the uncounted run failed (${exit.code}): ${exit.stderr}`);
  return exit.ops;
}

/**
 * `count` seeded op indices in [from, to], one in each of `count` equal slices of the range (in a seeded
 * order), so every phase of the run gets its kills, the last ops included, whatever the seed.
 */
export function drawOps(random: () => number, from: number, to: number, count: number): KillPoint[] {
  const width = (to - from + 1) / count;
  const ops = Array.from({ length: count }, (_, slice) => {
    const low = from + Math.floor(slice * width);
    const high = Math.max(low, from + Math.floor((slice + 1) * width) - 1);
    return { op: low + Math.floor(random() * (high - low + 1)), after: random() < 0.5 };
  });
  for (let i = ops.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ops[i], ops[j]] = [ops[j]!, ops[i]!];
  }
  return ops;
}

/**
 * One crash round: starts the child with its kill point; it must die there. The same work can take a few
 * ops fewer than the counted run did (a lock taken at the first try, a fan-out folder a killed run already
 * made), so a child that finished cleanly before reaching its op is re-run once, after `reset`, with a
 * kill point drawn inside the ops that run really took; any other outcome fails the round.
 */
export async function crashRound(
  round: number,
  killAt: KillPoint,
  start: (killAt: KillPoint) => ChildRun,
  reset: () => Promise<void>,
  random: () => number,
): Promise<void> {
  const exit = await start(killAt).exited;
  if (exit.signal === 'SIGKILL') return;
  if (exit.code === 0 && exit.ops && exit.ops.total < killAt.op) {
    await reset();
    const retry = { op: 1 + Math.floor(random() * exit.ops.total), after: killAt.after };
    return expectKilled(start(retry), round, retry);
  }
  throw new Error(
    `round ${round}: expected a SIGKILL at op ${killAt.op}, the child exited with ${exit.code} ` +
      `after ${exit.ops?.total ?? '?'} ops: ${exit.stderr}`,
  );
}

/** Runs a child that must die at its kill point: a run that finished instead means the kill point was not reached. */
export async function expectKilled(run: ChildRun, round: number, killAt: KillPoint): Promise<void> {
  const exit = await run.exited;
  if (exit.signal !== 'SIGKILL')
    throw new Error(
      `round ${round}: expected a SIGKILL at op ${killAt.op}, the child exited with ${exit.code} ` +
        `after ${exit.ops?.total ?? '?'} ops: ${exit.stderr}`,
    );
  if (process.env.CAIRN_CRASH_DEBUG)
    console.log(`round ${round}: killed ${killAt.after ? 'after' : 'before'} op ${killAt.op}`);
}
