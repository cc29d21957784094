import { readFileSync } from 'node:fs';
import { createBLAKE3 } from 'hash-wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHasher, digestBytes, type Blake3Backend } from './backend';
import { oraclePath } from '../../../tools/test-support/src';

interface VectorCase {
  input_len: number;
  hash: string;
}
const vectors = JSON.parse(readFileSync(oraclePath('blake3', 'test_vectors.json'), 'utf8')) as {
  cases: VectorCase[];
};

function vectorInput(length: number): Buffer {
  const input = Buffer.alloc(length);
  for (let i = 0; i < length; i++) input[i] = i % 251;
  return input;
}

describe.each<Blake3Backend>(['native', 'wasm'])('BLAKE3 %s backend', (backend) => {
  it('reproduces every official plain-hash vector, one-shot', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(35);
    for (const vector of vectors.cases) {
      expect(
        digestBytes(vectorInput(vector.input_len), 'blake3', backend),
        `input_len ${vector.input_len}`,
      ).toBe(vector.hash.slice(0, 64));
    }
  });

  it('reproduces every vector when fed in odd-sized pieces', () => {
    for (const vector of vectors.cases) {
      const input = vectorInput(vector.input_len);
      const hasher = createHasher('blake3', backend);
      for (let offset = 0; offset < input.length; offset += 1021)
        hasher.update(input.subarray(offset, offset + 1021));
      expect(hasher.digestHex(), `input_len ${vector.input_len}`).toBe(vector.hash.slice(0, 64));
    }
  });

  it('keeps interleaved hashes apart', () => {
    const a = createHasher('blake3', backend);
    const b = createHasher('blake3', backend);
    const input = vectorInput(4097);
    a.update(input.subarray(0, 2000));
    b.update(vectorInput(0));
    a.update(input.subarray(2000));
    expect(b.digestHex()).toBe(vectors.cases.find((c) => c.input_len === 0)!.hash.slice(0, 64));
    expect(a.digestHex()).toBe(vectors.cases.find((c) => c.input_len === 4097)!.hash.slice(0, 64));
  });
});

it("the synchronous wasm instance agrees with hash-wasm's own createBLAKE3 on a large input", async () => {
  const input = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < input.length; i++) input[i] = (i * 31 + 7) & 0xff;
  const reference = await createBLAKE3();
  reference.update(input);
  const expected = reference.digest('hex');
  expect(digestBytes(input, 'blake3', 'wasm')).toBe(expected);
  expect(digestBytes(input, 'blake3', 'native')).toBe(expected);
});

describe('backend selection', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('uses the native binding by default and wasm when CAIRN_HASH_BACKEND=wasm', async () => {
    vi.resetModules();
    vi.stubEnv('CAIRN_HASH_BACKEND', '');
    const native = await import('./index.js');
    expect(native.hashBackend()).toBe('native');

    vi.resetModules();
    vi.stubEnv('CAIRN_HASH_BACKEND', 'wasm');
    const wasm = await import('./index.js');
    expect(wasm.hashBackend()).toBe('wasm');
    const last = vectors.cases[vectors.cases.length - 1]!;
    expect(wasm.hashBuffer(vectorInput(last.input_len))).toBe(last.hash.slice(0, 64));
  });

  it('md5 is plain md5 whatever the BLAKE3 backend', () => {
    expect(digestBytes(Buffer.from('foo'), 'md5', 'wasm')).toBe('acbd18db4cc2f85cedef654fccc4a4d8');
  });
});
