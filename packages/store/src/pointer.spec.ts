import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { cleanup, tempDir } from '../test/helpers';
import { parsePointer, readPointer, serializePointer, type Pointer } from './pointer';

const FILE_HASH = 'a'.repeat(64);
const DIR_HASH = `${'b'.repeat(64)}.dir`;
const good: Pointer = { version: 1, algorithm: 'blake3', hash: FILE_HASH, size: 12, path: 'data.csv' };

function problemOf(text: string): { code: string; pointer: unknown; file: unknown } {
  try {
    parsePointer(text, 'data.csv.cairn');
  } catch (error) {
    if (!isCairnError(error)) throw error;
    return { code: error.code, pointer: error.data.pointer, file: error.data.file };
  }
  throw new Error('expected the pointer to be rejected');
}

describe('pointer files', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(cleanup));

  it('serializes byte-stably with a fixed key order, whatever the input order', () => {
    const shuffled = {
      path: 'd',
      nfiles: 3,
      size: 9,
      hash: DIR_HASH,
      algorithm: 'blake3',
      version: 1,
    } as Pointer;
    const text = serializePointer(shuffled);
    expect(text).toBe(
      `{\n  "version": 1,\n  "algorithm": "blake3",\n  "hash": "${DIR_HASH}",\n  "size": 9,\n  "nfiles": 3,\n  "path": "d"\n}\n`,
    );
    expect(serializePointer(parsePointer(text, 'x'))).toBe(text);
  });

  it.each([
    ['not JSON', '{"version": 1,', ''],
    ['missing hash', { ...good, hash: undefined }, '/hash'],
    ['hash not hex', { ...good, hash: 'z'.repeat(64) }, '/hash'],
    ['hash too short', { ...good, hash: 'a'.repeat(63) }, '/hash'],
    ['version 2', { ...good, version: 2 }, '/version'],
    ['md5 algorithm', { ...good, algorithm: 'md5' }, '/algorithm'],
    ['negative size', { ...good, size: -1 }, '/size'],
    ['size as string', { ...good, size: '12' }, '/size'],
    ['fractional size', { ...good, size: 1.5 }, '/size'],
    ['directory without nfiles', { ...good, hash: DIR_HASH }, '/nfiles'],
    ['file with nfiles', { ...good, nfiles: 2 }, '/nfiles'],
    ['unknown field', { ...good, mtime: 5 }, '/mtime'],
    ['path escaping its folder', { ...good, path: '../secret' }, '/path'],
    ['absolute path', { ...good, path: '/etc/passwd' }, '/path'],
    ['empty path', { ...good, path: '' }, '/path'],
    ['not an object', [good], ''],
  ])('rejects %s with POINTER_INVALID at the bad field', (_name, value, pointer) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const problem = problemOf(text);
    expect(problem).toEqual({ code: 'POINTER_INVALID', pointer, file: 'data.csv.cairn' });
  });

  it('accepts a valid file and directory pointer', () => {
    expect(parsePointer(JSON.stringify(good), 'x')).toEqual(good);
    const dir = { ...good, hash: DIR_HASH, nfiles: 0, path: 'sub/folder' };
    expect(parsePointer(JSON.stringify(dir), 'x')).toEqual(dir);
  });

  it('names the file when reading from disk, and reports a missing file', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, 'x.cairn');
    writeFileSync(file, JSON.stringify({ ...good, size: -3 }));
    await expect(readPointer(file)).rejects.toMatchObject({
      code: 'POINTER_INVALID',
      data: { file, pointer: '/size' },
    });
    await expect(readPointer(join(dir, 'none.cairn'))).rejects.toMatchObject({ code: 'POINTER_NOT_FOUND' });
    expect(readFileSync(file, 'utf8')).toContain('-3');
  });

  it('ships the schema it validates against', () => {
    const schema = JSON.parse(
      readFileSync(join(__dirname, '..', 'schemas', 'pointer.schema.json'), 'utf8'),
    ) as { required: string[] };
    expect(schema.required).toEqual(['version', 'algorithm', 'hash', 'size', 'path']);
  });
});
