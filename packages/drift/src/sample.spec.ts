import { describe, expect, it } from 'vitest';
import { populationStd, sortFloat64 } from './sample';
import { seededRandom } from '../../../tools/test-support/src';

describe('sortFloat64', () => {
  it.each([10, 5000, 70000])('orders %i values exactly as TypedArray.prototype.sort', (n) => {
    const random = seededRandom(n);
    const values = new Float64Array(n);
    const specials = [0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 1e-310];
    for (let i = 0; i < n; i++) {
      const r = random();
      values[i] =
        r < 0.1 ? (specials[i % specials.length] as number) : (random() - 0.5) * Math.exp(random() * 60 - 30);
    }
    const expected = new Float64Array(values).sort();
    sortFloat64(values);
    expect(Array.from(values).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
      Array.from(expected).map((v) => (Object.is(v, -0) ? '-0' : v)),
    );
  });
});

describe('populationStd', () => {
  it('is numpy.std with ddof = 0', () => {
    expect(populationStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(1.25), 15);
  });
});
