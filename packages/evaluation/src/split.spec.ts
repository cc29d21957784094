import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mulberry32, stratifiedKFold, summarizeFolds, trainTestSplit } from './index';

interface Row {
  id: number;
  label: string;
}

function dataset(counts: Record<string, number>): Row[] {
  const rows: Row[] = [];
  let id = 0;
  // interleave classes so order carries no information
  const left = { ...counts };
  while (Object.values(left).some((c) => c > 0)) {
    for (const label of Object.keys(left)) {
      if (left[label]! > 0) {
        rows.push({ id: id++, label });
        left[label]!--;
      }
    }
  }
  return rows;
}

const count = (rows: Row[], label: string): number => rows.filter((r) => r.label === label).length;

describe('mulberry32', () => {
  it('matches the reference sequence of the published algorithm', () => {
    // First outputs of mulberry32(0) × 2^32 from the reference C implementation.
    const random = mulberry32(0);
    const first = Array.from({ length: 3 }, () => Math.round(random() * 4294967296));
    expect(first).toEqual([1144304738, 1416247, 958946056]);
  });
});

describe('trainTestSplit', () => {
  const rows = dataset({ a: 50, b: 30, c: 20 });

  it('is deterministic per seed and different across seeds', () => {
    const one = trainTestSplit(rows, { testFraction: 0.2, seed: 42 });
    const two = trainTestSplit(rows, { testFraction: 0.2, seed: 42 });
    const other = trainTestSplit(rows, { testFraction: 0.2, seed: 43 });
    expect(one).toEqual(two);
    expect(other.test.map((r) => r.id)).not.toEqual(one.test.map((r) => r.id));
  });

  it('partitions the rows, ceil(fraction × n) in test, original order kept', () => {
    const { train, test } = trainTestSplit(rows, { testFraction: 0.25, seed: 1 });
    expect(test.length).toBe(25);
    expect(train.length).toBe(75);
    const ids = [...train, ...test].map((r) => r.id).sort((a, b) => a - b);
    expect(ids).toEqual(rows.map((r) => r.id));
    for (const part of [train, test])
      expect(part.map((r) => r.id)).toEqual([...part.map((r) => r.id)].sort((a, b) => a - b));
  });

  it('stratifies: each class contributes its proportional share', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { test } = trainTestSplit(rows, { testFraction: 0.2, seed, stratify: (r) => r.label });
      expect([count(test, 'a'), count(test, 'b'), count(test, 'c')]).toEqual([10, 6, 4]);
    }
    const odd = dataset({ x: 7, y: 5, z: 3 });
    const { test } = trainTestSplit(odd, { testFraction: 0.3, seed: 3, stratify: (r) => r.label });
    expect(test.length).toBe(5); // ceil(4.5)
    expect([count(test, 'x'), count(test, 'y'), count(test, 'z')]).toEqual([2, 2, 1]);
  });

  it('shuffles: over many seeds every row lands in test sometimes', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 60; seed++)
      for (const r of trainTestSplit(rows, { testFraction: 0.2, seed, stratify: (x) => x.label }).test)
        seen.add(r.id);
    expect(seen.size).toBe(rows.length);
  });

  it('rejects fractions and sizes that leave a side empty', () => {
    for (const testFraction of [0, 1, -0.1, Number.NaN]) {
      expect(() => trainTestSplit(rows, { testFraction, seed: 1 })).toThrow(
        expect.objectContaining({ code: 'OPTION_INVALID' }),
      );
    }
    expect(() => trainTestSplit(rows.slice(0, 1), { testFraction: 0.5, seed: 1 })).toThrow(
      expect.objectContaining({ code: 'EVAL_TOO_FEW_ROWS' }),
    );
    expect(() => trainTestSplit(rows, { testFraction: 0.5, seed: 1.5 })).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });
});

describe('stratifiedKFold', () => {
  const rows = dataset({ a: 23, b: 11, c: 6 });

  it('every row is in exactly one test fold; train is the complement', () => {
    const folds = stratifiedKFold(rows, { k: 5, seed: 7, stratify: (r) => r.label });
    expect(folds).toHaveLength(5);
    const all = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    expect(all).toEqual(rows.map((_, i) => i));
    for (const f of folds) {
      expect([...f.train, ...f.test].sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
      expect(f.train.filter((i) => f.test.includes(i))).toEqual([]);
    }
  });

  it('preserves class proportions: per-class and total fold counts differ by at most one', () => {
    const folds = stratifiedKFold(rows, { k: 5, seed: 11, stratify: (r) => r.label });
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const label of ['a', 'b', 'c']) {
      const perFold = folds.map((f) => f.test.filter((i) => rows[i]!.label === label).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
      expect(perFold.reduce((x, y) => x + y, 0)).toBe(count(rows, label));
    }
  });

  it('is seeded', () => {
    const a = stratifiedKFold(rows, { k: 3, seed: 5, stratify: (r) => r.label });
    expect(stratifiedKFold(rows, { k: 3, seed: 5, stratify: (r) => r.label })).toEqual(a);
    expect(stratifiedKFold(rows, { k: 3, seed: 6, stratify: (r) => r.label })).not.toEqual(a);
  });

  it('names the classes with fewer than k members', () => {
    try {
      stratifiedKFold(rows, { k: 7, seed: 1, stratify: (r) => r.label });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'EVAL_CLASS_TOO_SMALL',
        data: { k: 7, classes: [{ class: 'c', rows: 6 }] },
      });
      expect((error as Error).message).toContain('"c" (6)');
    }
    expect(() => stratifiedKFold(rows, { k: 1, seed: 1, stratify: (r) => r.label })).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });
});

describe('summarizeFolds', () => {
  it('mean and population std (ddof=0) agree with numpy', () => {
    const folds = [
      { accuracy: 0.9, f1_macro: 0.85, log_loss: 0.31 },
      { accuracy: 0.8666666666666667, f1_macro: 0.8, log_loss: 0.4 },
      { accuracy: 0.9333333333333333, f1_macro: 0.91, log_loss: Number.NaN },
      { accuracy: 1, f1_macro: 1, log_loss: 0.05 },
    ];
    const summary = summarizeFolds(folds);
    const py = String.raw`
import json, sys, numpy as np
folds = json.loads(sys.argv[1])
out = {}
for k in folds[0]:
    v = np.array([f[k] for f in folds if f[k] is not None], dtype=float)
    out[k] = {"mean": float(np.mean(v)), "std": float(np.std(v))}
print(json.dumps(out))`;
    const expected = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          py,
          JSON.stringify(
            folds.map((f) => ({ ...f, log_loss: Number.isNaN(f.log_loss) ? null : f.log_loss })),
          ),
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, { mean: number; std: number }>;
    for (const [key, { mean, std }] of Object.entries(expected)) {
      expect(summary[key]!.mean).toBeCloseTo(mean, 14);
      expect(summary[key]!.std).toBeCloseTo(std, 14);
    }
    expect(summarizeFolds([{ x: Number.NaN }])).toEqual({});
  });
});
