import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { createAtomicWriteStream, ensureDirectory, withLock, writeFileAtomic } from './index';

const made: string[] = [];
/** A fresh temp folder, removed after the test. */
function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('atomic writes', () => {
  it('replaces the target whole and leaves no temp file', async () => {
    const dir = tempFolder('cairn-atomic-');
    const target = join(dir, 'sub', 'file.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(readFileSync(target, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['file.txt']);
  });

  it('shows a streamed body only after commit, and nothing after abort', async () => {
    const dir = tempFolder('cairn-atomic-');
    const target = join(dir, 'object');
    const pending = await createAtomicWriteStream(target);
    pending.stream.write('partial');
    expect(readdirSync(dir).includes('object')).toBe(false);
    await pending.abort();
    expect(readdirSync(dir)).toEqual([]);

    const complete = await createAtomicWriteStream(target);
    complete.stream.end('whole body');
    await complete.commit();
    expect(readFileSync(target, 'utf8')).toBe('whole body');
    expect(readdirSync(dir)).toEqual(['object']);
  });
});

describe('withLock', () => {
  it('serializes critical sections across concurrent callers', async () => {
    const dir = tempFolder('cairn-lock-');
    const order: string[] = [];
    const section = (name: string) =>
      withLock(join(dir, 'store'), async () => {
        order.push(`${name}:in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`${name}:out`);
      });
    await Promise.all([section('a'), section('b')]);
    expect(order).toHaveLength(4);
    expect(order[0]!.split(':')[0]).toBe(order[1]!.split(':')[0]);
    expect(order[2]!.split(':')[0]).toBe(order[3]!.split(':')[0]);
  });

  it('abort right after create leaves no temp file, even before the stream has opened', async () => {
    const dir = tempFolder('cairn-atomic-');
    for (let i = 0; i < 200; i++) {
      const pending = await createAtomicWriteStream(join(dir, `object-${i}`));
      await pending.abort();
    }
    // A second abort is harmless, also after the stream has opened.
    const opened = await createAtomicWriteStream(join(dir, 'opened'));
    await new Promise((resolve) => opened.stream.once('open', resolve));
    await opened.abort();
    await opened.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('targets a user may get wrong', () => {
  async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => {
        throw new Error('expected the write to fail');
      },
      (error: unknown) => error,
    );
  }

  it('a folder as the target is WRITE_TARGET_IS_FOLDER and the folder stays as it was', async () => {
    const dir = tempFolder('cairn-atomic-');
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'keep.txt'), 'keep');
    for (const folder of ['empty', 'full']) {
      const error = await failure(writeFileAtomic(join(dir, folder), 'report'));
      expect(isCairnError(error, 'WRITE_TARGET_IS_FOLDER'), String(error)).toBe(true);
    }
    expect(readdirSync(join(dir, 'empty'))).toEqual([]);
    expect(readdirSync(join(dir, 'full'))).toEqual(['keep.txt']);
    expect(readdirSync(dir).sort()).toEqual(['empty', 'full']);
  });

  it('a file as a parent folder is WRITE_PARENT_NOT_FOLDER naming that file', async () => {
    const dir = tempFolder('cairn-atomic-');
    writeFileSync(join(dir, 'plain'), 'x');
    for (const write of [
      () => writeFileAtomic(join(dir, 'plain', 'deeper', 'report.md'), 'r'),
      () => createAtomicWriteStream(join(dir, 'plain', 'object')),
    ]) {
      const error = await failure(write());
      expect(isCairnError(error, 'WRITE_PARENT_NOT_FOLDER'), String(error)).toBe(true);
      expect((error as { data: { file: string } }).data.file).toBe(join(dir, 'plain'));
    }
  });

  it('a folder that cannot be created ends with WRITE_TARGET_UNWRITABLE (recursive mkdir spun forever under /proc)', async () => {
    const error = await failure(writeFileAtomic('/proc/cairn-test/sub/report.html', 'r'));
    expect(isCairnError(error, 'WRITE_TARGET_UNWRITABLE'), String(error)).toBe(true);
    await expect(ensureDirectory('/proc/cairn-test/sub')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
