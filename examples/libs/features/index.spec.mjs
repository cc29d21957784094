// fitStandardizer against numpy (Debian python3-numpy), on seeded random columns with gaps.
// `nx run features:test` runs this; every model that depends on the library is retested by
// `nx affected -t test` when it changes (its files are inputs of their `test` targets).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fitStandardizer } from './index.mjs';

const seed = Number(process.env.CAIRN_TEST_SEED ?? 20240601);
console.log(`seeded random: seed ${seed}`);

/** mulberry32: the same columns on every run. */
function random(state) {
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fitStandardizer', () => {
  it('gives numpy nanmean and nanstd (population) on columns with missing values', () => {
    const next = random(seed);
    const columns = Array.from({ length: 20 }, (_, c) =>
      Array.from({ length: 1 + Math.floor(next() * 200) }, () =>
        next() < 0.1 ? null : (next() - 0.3) * 10 ** (c % 5),
      ),
    ).filter((column) => column.some((value) => value !== null));
    const script =
      'import json, sys, numpy as np\n' +
      'cols = [np.array([np.nan if v is None else v for v in c], dtype=float) for c in json.load(sys.stdin)]\n' +
      'print(json.dumps([[float(np.nanmean(c)), float(np.nanstd(c))] for c in cols]))';
    let expected;
    try {
      expected = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(columns) }),
      );
    } catch (error) {
      throw new Error(`numpy oracle failed (${error.message}): apt-get install -y python3-numpy`);
    }
    columns.forEach((column, i) => {
      const { mean, std } = fitStandardizer(column);
      const [npMean, npStd] = expected[i];
      expect(mean).toBeCloseTo(npMean, 9);
      expect(std).toBeCloseTo(npStd === 0 ? 1 : npStd, 9);
    });
  });

  it('gives a constant or empty column std 1, so standardizing it yields 0, not NaN', () => {
    expect(fitStandardizer([4, 4, null, 4])).toEqual({ mean: 4, std: 1 });
    expect(fitStandardizer([null])).toEqual({ mean: 0, std: 1 });
  });
});
