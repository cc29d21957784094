import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from './numpy-random';

const ORACLE = String.raw`
import json, sys
import numpy as np
out = []
for seed in json.loads(sys.argv[1]):
    r = np.random.RandomState(seed)
    draws = [r.permutation(n).tolist() for n in (1, 2, 10, 1000)]
    draws.append([int(r.randint(2**31)) for _ in range(5)])
    draws.append([int(r.randint(7)) for _ in range(20)])
    a = list(range(50)); r.shuffle(a); draws.append(a)
    out.append(draws)
print(json.dumps(out))
`;

describe('NumpyRandomState against numpy.random.RandomState (Debian numpy)', () => {
  it('permutation, randint and shuffle give numpy’s exact sequence for several seeds', () => {
    const seeds = [0, 1, 42, 12345, 2 ** 32 - 1];
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', ORACLE, JSON.stringify(seeds)], { encoding: 'utf8' }),
    ) as number[][][];
    seeds.forEach((seed, s) => {
      const random = new NumpyRandomState(seed);
      const ours: number[][] = [1, 2, 10, 1000].map((n) => Array.from(random.permutation(n)));
      ours.push(Array.from({ length: 5 }, () => random.randint(2 ** 31)));
      ours.push(Array.from({ length: 20 }, () => random.randint(7)));
      const a = Array.from({ length: 50 }, (_, i) => i);
      random.shuffle(a);
      ours.push(a);
      expect(ours).toEqual(expected[s]);
    });
  });
  it('refuses seeds numpy refuses', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(RangeError);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(RangeError);
    expect(() => new NumpyRandomState(1.5)).toThrow(RangeError);
  });
});
