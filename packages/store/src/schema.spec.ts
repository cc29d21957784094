import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { schemaDir, schemaProblem } from './schema';

const repoRoot = process.env.CAIRN_REPO_ROOT!;
const seed = 20261201;

/** mulberry32: a seeded stream, so every run checks the same documents. */
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('precompiled store validators', () => {
  it('the committed standalone code matches the schemas (node tools/codegen/store-validators.mjs regenerates it)', () => {
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'tools/codegen/store-validators.mjs'), '--check'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
  });

  it(`accepts and refuses exactly what ajv compiling the schema at run time does (seed ${seed})`, () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    const compiled = ajv.compile(JSON.parse(readFileSync(join(schemaDir, 'pointer.schema.json'), 'utf8')));
    const next = random(seed);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
    const hash = 'ab'.repeat(32);
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const doc: Record<string, unknown> = {};
      if (next() < 0.95) doc.version = pick([1, 1, 1, 2, '1']);
      if (next() < 0.95) doc.algorithm = pick(['blake3', 'blake3', 'md5']);
      if (next() < 0.95) doc.hash = pick([hash, `${hash}.dir`, hash.toUpperCase(), hash.slice(1), '']);
      if (next() < 0.95) doc.size = pick([0, 12, -1, 1.5, '3']);
      if (next() < 0.5) doc.nfiles = pick([0, 3, -2]);
      if (next() < 0.95)
        doc.path = pick(['a.csv', 'data/x', '../up', '.git/x', 'a//b', 'a\\b', 'x'.repeat(300), '']);
      if (next() < 0.05) doc.extra = true;
      const expected = compiled(doc);
      const problem = schemaProblem('pointer', doc);
      expect(problem === undefined, JSON.stringify(doc)).toBe(expected);
      if (expected) accepted++;
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(1980);
  });
});
