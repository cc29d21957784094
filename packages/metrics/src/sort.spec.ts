import { describe, expect, it } from 'vitest';
import { rocAucScore } from './index';
import { sortFloat64 } from './sort';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sortFloat64 (radix on float bits)', () => {
  it('orders negatives, zeros, subnormals and extremes like the native comparison sort', () => {
    const random = mulberry32(9);
    const specials = [
      -0,
      0,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      1e-310,
      -1e-310,
      1,
      -1,
    ];
    for (const n of [10, 2047, 2048, 5000, 70000]) {
      const values = Float64Array.from({ length: n }, (_, i) =>
        i < specials.length
          ? specials[i]!
          : (random() - 0.5) *
            10 ** Math.floor(random() * 40 - 20) *
            (random() < 0.3 ? Math.round(random() * 5) : 1),
      );
      const expected = Float64Array.from(values).sort();
      const actual = sortFloat64(Float64Array.from(values));
      // compare as numbers (-0 and +0 may swap places, they are equal)
      let mismatches = 0;
      for (let i = 0; i < n; i++) if (actual[i] !== expected[i]) mismatches++;
      expect(mismatches).toBe(0);
    }
  });
});

describe('ROC AUC on negative decision scores with ties', () => {
  it('equals the Mann–Whitney probability P(score+ > score-) + ½ P(tie), counted pair by pair', () => {
    const random = mulberry32(3);
    const n = 3000;
    const yTrue: number[] = [];
    const score: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = random() < 0.4 ? 1 : 0;
      yTrue.push(y);
      score.push(Math.round((random() * 8 - 6 + 1.5 * y) * 4) / 4); // negative-heavy, many ties
    }
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      if (yTrue[i] !== 1) continue;
      for (let j = 0; j < n; j++) {
        if (yTrue[j] !== 0) continue;
        pairs++;
        if (score[i]! > score[j]!) wins += 1;
        else if (score[i] === score[j]) wins += 0.5;
      }
    }
    const auc = rocAucScore(yTrue, Float64Array.from(score));
    expect(Math.abs(auc - wins / pairs)).toBeLessThan(1e-12);
  });
});
