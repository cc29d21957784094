import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LocalRemote,
  objectFile,
  openRemote,
  pullObjects,
  pushObjects,
  RemoteError,
  type Remote,
} from '../src';
import { fillStore, tempDir } from './helpers';

const dirs: { remove(): void }[] = [];
function dir(prefix: string): string {
  const made = tempDir(prefix);
  dirs.push(made);
  return made.path;
}
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** Wraps a remote so selected calls fail, to exercise retries and resumption. */
function flaky(
  inner: Remote,
  failPut: (id: string, attempt: number) => Error | undefined,
): Remote & { attempts: Map<string, number> } {
  const attempts = new Map<string, number>();
  return {
    url: inner.url,
    attempts,
    missing: (ids) => inner.missing(ids),
    get: (id, dest) => inner.get(id, dest),
    put: async (id, src) => {
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const error = failPut(id, attempt);
      if (error) throw error;
      return inner.put(id, src);
    },
    close: () => inner.close(),
  };
}

function allFiles(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((p) =>
    statSync(`${root}/${p}`).isFile(),
  );
}

describe('push and pull through a local-path remote', () => {
  it('round-trips every object byte-identical, read-only, and skips what is already there', async () => {
    const a = dir('store-a');
    const remoteDir = dir('remote');
    const b = dir('store-b');
    const objects = fillStore(a, 40);
    const ids = [...objects.keys()];
    const remote = openRemote(`file://${remoteDir}`);
    expect(remote).toBeInstanceOf(LocalRemote);

    const pushed = await pushObjects(a, ids, remote, { concurrency: 4 });
    expect(pushed.transferred.sort()).toEqual([...ids].sort());
    expect(pushed.skipped).toBe(0);
    // The remote uses the store layout; b3sum (an independent BLAKE3) agrees with every name.
    for (const id of ids.slice(0, 5)) {
      const digest = execFileSync('b3sum', ['--no-names', objectFile(remoteDir, id)], {
        encoding: 'utf8',
      }).trim();
      expect(digest).toBe(id.slice(0, 64));
    }
    expect((await pushObjects(a, ids, remote)).transferred).toEqual([]);

    const progress: number[] = [];
    const pulled = await pullObjects(b, ids, remote, { onProgress: (p) => progress.push(p.done) });
    expect(pulled.transferred).toHaveLength(ids.length);
    expect(progress.at(-1)).toBe(ids.length);
    for (const [id, body] of objects) {
      expect(readFileSync(objectFile(b, id)).equals(body)).toBe(true);
      expect(statSync(objectFile(b, id)).mode & 0o777).toBe(0o444);
    }
    expect(allFiles(b).some((name) => name.endsWith('.tmp'))).toBe(false);
    expect((await pullObjects(b, ids, remote)).skipped).toBe(ids.length);
  });

  it('reports ids the source lacks instead of failing the others', async () => {
    const a = dir('store-a');
    const remote = openRemote(dir('remote'));
    const [present] = [...fillStore(a, 1).keys()];
    const absent = 'f'.repeat(64);
    const pushed = await pushObjects(a, [present!, absent], remote);
    expect(pushed).toMatchObject({ transferred: [present], unavailable: [absent] });
    const pulled = await pullObjects(dir('store-b'), [present!, absent], remote);
    expect(pulled).toMatchObject({ transferred: [present], unavailable: [absent] });
  });

  it('does not count an object the remote already holds as unavailable when it is not local', async () => {
    // A task restored from the Nx remote cache leaves a pointer whose object this machine never fetched.
    const a = dir('store-a');
    const remote = openRemote(dir('remote'));
    const [onRemote] = [...fillStore(a, 1).keys()];
    await pushObjects(a, [onRemote!], remote);
    const pushedFromB = await pushObjects(dir('store-b'), [onRemote!], remote);
    expect(pushedFromB).toMatchObject({ transferred: [], skipped: 1, unavailable: [] });
  });

  it('rejects a corrupted remote object and stores nothing for it', async () => {
    const a = dir('store-a');
    const remoteDir = dir('remote');
    const b = dir('store-b');
    const objects = fillStore(a, 3);
    const ids = [...objects.keys()];
    const remote = openRemote(remoteDir);
    await pushObjects(a, ids, remote);
    const victim = objectFile(remoteDir, ids[1]!);
    chmodSync(victim, 0o644);
    writeFileSync(victim, 'tampered');

    const failure = await pullObjects(b, ids, remote, { retries: 1, retryDelayMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as RemoteError).code).toBe('REMOTE_TRANSFER_FAILED');
    expect((failure as RemoteError).data.failed).toEqual([
      expect.objectContaining({ id: ids[1], code: 'REMOTE_OBJECT_CORRUPT' }),
    ]);
    expect(() => statSync(objectFile(b, ids[1]!))).toThrow();
    // The healthy objects arrived.
    expect(readFileSync(objectFile(b, ids[0]!)).equals(objects.get(ids[0]!)!)).toBe(true);
    expect(allFiles(b).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('retries retryable failures with backoff and gives up on others at once', async () => {
    const a = dir('store-a');
    const ids = [...fillStore(a, 5).keys()];
    const transient = flaky(openRemote(dir('remote')), (_id, attempt) =>
      attempt < 3 ? new RemoteError('REMOTE_SERVER_ERROR', 'HTTP 503', { retryable: true }) : undefined,
    );
    const pushed = await pushObjects(a, ids, transient, { retries: 3, retryDelayMs: 1 });
    expect(pushed.transferred).toHaveLength(5);
    expect([...transient.attempts.values()]).toEqual([3, 3, 3, 3, 3]);

    const fatal = flaky(openRemote(dir('remote')), () => new RemoteError('REMOTE_FORBIDDEN', 'HTTP 403'));
    await expect(pushObjects(a, ids, fatal, { retries: 3, retryDelayMs: 1 })).rejects.toMatchObject({
      code: 'REMOTE_TRANSFER_FAILED',
    });
    expect([...fatal.attempts.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('resumes an interrupted push, sending only what did not arrive', async () => {
    const a = dir('store-a');
    const remoteDir = dir('remote');
    const ids = [...fillStore(a, 20).keys()];
    let puts = 0;
    const interrupted = flaky(openRemote(remoteDir), () =>
      ++puts > 8 ? new Error('connection lost') : undefined,
    );
    await expect(pushObjects(a, ids, interrupted, { concurrency: 1, retries: 0 })).rejects.toMatchObject({
      code: 'REMOTE_TRANSFER_FAILED',
    });
    const resumed = await pushObjects(a, ids, openRemote(remoteDir));
    expect(resumed.transferred).toHaveLength(12);
    expect(resumed.skipped).toBe(8);
  });

  it('refuses unsupported URLs and malformed ids', async () => {
    expect(() => openRemote('relative/path')).toThrow(
      expect.objectContaining({ code: 'REMOTE_URL_INVALID' }),
    );
    expect(() => openRemote('ftp://host/x')).toThrow(expect.objectContaining({ code: 'REMOTE_URL_INVALID' }));
    await expect(pushObjects(dir('s'), ['../../etc/passwd'], openRemote(dir('r')))).rejects.toMatchObject({
      code: 'REMOTE_BAD_OBJECT_ID',
    });
  });
});
