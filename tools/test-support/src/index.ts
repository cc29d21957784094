// Helpers shared by the specs of every package. Specs import this file by
// relative path: it is not a workspace package, and it imports nothing from
// @cairn/*, so no package depends on another through its tests.
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..', '..');

/** A file of third-party oracle data copied into `tools/oracles` (source and license in its README). */
export function oraclePath(...parts: string[]): string {
  return join(repoRoot, 'tools', 'oracles', ...parts);
}

/** A file of the example datasets (`examples/datasets`), reused as test data rather than copied again. */
export function exampleDatasetPath(...parts: string[]): string {
  return join(repoRoot, 'examples', 'datasets', ...parts);
}

const printedSeeds = new Set<number>();

/**
 * Seeded pseudo-random numbers in [0, 1) (mulberry32), so a failing run repeats
 * exactly. Prints the seed once per process so a failure report names it.
 */
export function seededRandom(seed: number): () => number {
  if (!printedSeeds.has(seed)) {
    printedSeeds.add(seed);
    console.log(`seeded random: seed ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` bytes drawn from `random`. */
export function seededBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/**
 * Resolves once `condition` holds, checking every `pollMs`. For states a test
 * can observe but not subscribe to (a file appearing, a log line written):
 * waits for the state itself rather than for a guessed time; the test's own
 * timeout bounds the wait.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, pollMs = 10): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
