/**
 * numpy's legacy `np.random.RandomState` (MT19937), as far as scikit-learn and
 * Evidently use it: integer seeding, `randint` below 2^32, `shuffle` and
 * `permutation`. Reproducing the generator bit for bit is what lets
 * permutation importance and Evidently's permutation tests agree with the
 * Python libraries on the same seed, instead of only in distribution.
 * Sources: numpy 1.24 `_mt19937.pyx` (`_legacy_seeding` → `mt19937_seed`),
 * `mt19937.c` (`mt19937_gen`), `distributions.c` (`random_interval`),
 * `mtrand.pyx` (`shuffle` → `_shuffle_raw`, `permutation`, `randint`).
 */
const N = 624;
const M = 397;

export class NumpyRandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
    }
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      s = (Math.imul(1812433253, s ^ (s >>> 30)) + i + 1) >>> 0;
    }
  }

  private generate(): void {
    const mt = this.key;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.pos = 0;
  }

  nextUint32(): number {
    if (this.pos === N) this.generate();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random_interval(max)`: a uniform integer in [0, max] by masked rejection (max < 2^32). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    for (;;) {
      const value = (this.nextUint32() & mask) >>> 0;
      if (value <= max) return value;
    }
  }

  /** `randint(high)` for 0 < high <= 2^32: masked rejection on 32-bit draws. */
  randint(high: number): number {
    if (!Number.isInteger(high) || high <= 0 || high > 0x100000000) {
      throw new RangeError(`randint high must be an integer in (0, 2**32], got ${high}`);
    }
    return high === 0x100000000 ? this.nextUint32() : this.interval(high - 1);
  }

  /** `shuffle(x)` in place: Fisher–Yates from the end with `random_interval`. */
  shuffle<T>(items: { length: number; [i: number]: T }): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
  }

  /** `permutation(n)`: a shuffled `arange(n)`. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }
}
