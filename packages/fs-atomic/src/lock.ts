import { promises as fs } from 'node:fs';
import { SystemError } from '@cairn/errors';

export class LockTimeoutError extends SystemError<{ path: string }> {
  constructor(path: string, cause: unknown) {
    super('LOCK_TIMEOUT', `could not lock ${path}: another cairn process holds it`, {
      data: { path },
      hint: 'wait for the other command to finish; a lock left by a killed process expires after 10 s',
      cause,
    });
  }
}

/**
 * Runs `fn` holding an exclusive, cross-process lock on `path` (a directory or
 * file that must exist; it is created as a directory when missing). The lock
 * is a `<path>.lock` directory refreshed while held, so a lock left by a
 * SIGKILLed process goes stale after `staleMs` and is taken over.
 */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: { staleMs?: number; waitMs?: number } = {},
): Promise<T> {
  await fs.mkdir(path, { recursive: true });
  const staleMs = options.staleMs ?? 10_000;
  const waitMs = options.waitMs ?? 120_000;
  let release: () => Promise<void>;
  // Loaded on first use: proper-lockfile brings graceful-fs, which patches fs, and most commands never lock.
  const { default: lockfile } = await import('proper-lockfile');
  try {
    release = await lockfile.lock(path, {
      stale: staleMs,
      update: Math.max(1000, Math.floor(staleMs / 2)),
      retries: {
        retries: Math.ceil(waitMs / 200),
        factor: 1,
        minTimeout: 100,
        maxTimeout: 300,
        randomize: true,
      },
      realpath: false,
    });
  } catch (error) {
    throw new LockTimeoutError(path, error);
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
