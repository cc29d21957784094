import { describe, expect, it } from 'vitest';
import { hashBuffer } from '@cairn/hash';
import { packHeader, PackFormatError, readPack, type PackRecord } from '../src';

const SEED = 20_261_201;
console.log(`remote pack.spec seed ${SEED}`);
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

async function* chunks(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
}

/** Records as `id:hex` strings: cheap to compare thousands of times. */
async function readAll(source: AsyncIterable<Buffer>, maxObjects = 100): Promise<string[]> {
  const out: string[] = [];
  for await (const record of readPack(source, { maxObjectBytes: 1 << 20, maxObjects }))
    out.push(summary(record));
  return out;
}

function summary(record: PackRecord): string {
  return `${record.id}:${record.body.toString('hex')}`;
}

describe('readPack', () => {
  const next = random(SEED);
  const bodies = Array.from({ length: 12 }, (_, i) =>
    Buffer.from(
      Array.from({ length: i === 3 ? 0 : Math.floor(next() * 300) }, () => Math.floor(next() * 256)),
    ),
  );
  const records = bodies.map((body, i) => ({ id: `${hashBuffer(body)}${i % 5 === 4 ? '.dir' : ''}`, body }));
  const expected = records.map(summary);
  const pack = Buffer.concat(records.flatMap(({ id, body }) => [packHeader(id, body.length), body]));

  it('yields the same records however the stream is cut (every single cut, then random multi-cuts)', async () => {
    for (let cut = 0; cut <= pack.length; cut += 1) {
      expect(await readAll(chunks(pack, [cut]))).toEqual(expected);
    }
    for (let round = 0; round < 50; round += 1) {
      const cuts = Array.from({ length: 20 }, () => Math.floor(next() * pack.length)).sort((a, b) => a - b);
      expect(await readAll(chunks(pack, cuts))).toEqual(expected);
    }
  });

  it('fails on a pack cut anywhere except between records, naming the record', async () => {
    const boundaries = new Set<number>([0]);
    let offset = 0;
    for (const { id, body } of records) {
      offset += packHeader(id, body.length).length + body.length;
      boundaries.add(offset);
    }
    for (let length = 0; length < pack.length; length += 1) {
      const attempt = readAll(chunks(pack.subarray(0, length), []));
      if (boundaries.has(length))
        await expect(attempt).resolves.toHaveLength([...boundaries].indexOf(length));
      else await expect(attempt).rejects.toBeInstanceOf(PackFormatError);
    }
  });

  it('enforces the object count and per-object size limits', async () => {
    await expect(readAll(chunks(pack, []), 5)).rejects.toThrow('more than 5 objects');
    const big = Buffer.from(`${'a'.repeat(64)} ${(1 << 20) + 1}\n`);
    await expect(readAll(chunks(big, []))).rejects.toMatchObject({ tooLarge: true, index: 0 });
  });
});
