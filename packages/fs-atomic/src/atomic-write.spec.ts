import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAtomicWriteStream, withLock, writeFileAtomic } from './index';

describe('atomic writes', () => {
  it('replaces the target whole and leaves no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-atomic-'));
    const target = join(dir, 'sub', 'file.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(readFileSync(target, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['file.txt']);
  });

  it('shows a streamed body only after commit, and nothing after abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-atomic-'));
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
    const dir = mkdtempSync(join(tmpdir(), 'cairn-lock-'));
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
});
