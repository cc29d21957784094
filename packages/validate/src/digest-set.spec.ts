import { describe, expect, it } from 'vitest';
import { DigestSet } from './digest-set';

describe('DigestSet', () => {
  it('agrees with a Set on which values are new, over growth', () => {
    const digests = new DigestSet(16);
    const exact = new Set<string>();
    let state = 7;
    for (let i = 0; i < 50_000; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const value = String(state % 30_000);
      expect(digests.add(value)).toBe(!exact.has(value));
      exact.add(value);
    }
    expect(digests.size).toBe(exact.size);
  });

  it('gives no false duplicates on 300,000 similar distinct values', () => {
    const digests = new DigestSet();
    let duplicates = 0;
    for (let i = 0; i < 300_000; i++) if (!digests.add(`user-${i}`)) duplicates++;
    expect(duplicates).toBe(0);
    expect(digests.bytes).toBeLessThanOrEqual(300_000 * 8 * 2 * 2);
  });
});
