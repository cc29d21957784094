import { describe, expect, it } from 'vitest';
import { accuracyScore, r2Score } from '@cairn/metrics';
import { seededRandom } from '../../../tools/test-support/src';
import { classifier, regressor, runSklearn, type ImportanceCase } from '../test/sklearn-oracle';
import { permutationImportance } from './permutation-importance';

function closeTo(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

function buildCase(
  seed: number,
  model: ImportanceCase['model'],
  rows: number,
  nRepeats: number,
): ImportanceCase {
  const random = seededRandom(seed);
  const X = Array.from({ length: rows }, () =>
    Array.from({ length: 4 }, () => Math.round((random() * 4 - 2) * 1000) / 1000),
  );
  const y = X.map((row) =>
    model === 'regressor'
      ? regressor(row) + (random() - 0.5)
      : random() < 0.85
        ? classifier(row)
        : classifier(row) === 'a'
          ? 'b'
          : 'a',
  );
  return { model, X, y, n_repeats: nRepeats, seed: seed * 7919 + 13 };
}

describe('permutation importance against sklearn.inspection.permutation_importance (Debian scikit-learn)', () => {
  const cases: ImportanceCase[] = [
    buildCase(161, 'regressor', 60, 5),
    buildCase(162, 'regressor', 200, 10),
    buildCase(163, 'regressor', 7, 1),
    buildCase(164, 'classifier', 120, 8),
    buildCase(165, 'classifier', 33, 3),
    { ...buildCase(166, 'regressor', 90, 4), seed: 0 },
    { ...buildCase(167, 'classifier', 50, 12), seed: 2 ** 32 - 1 },
  ];
  const answers = runSklearn(cases);
  it.each(
    cases.map(
      (c, i) => [`${c.model} rows=${c.X.length} n_repeats=${c.n_repeats} seed=${c.seed}`, i] as const,
    ),
  )('%s', async (_label, i) => {
    const c = cases[i]!;
    const answer = answers[i]!;
    const result =
      c.model === 'regressor'
        ? await permutationImportance<number>({
            rows: c.X,
            y: c.y as number[],
            features: ['a', 'b', 'c', 'd'],
            predict: (rows) => rows.map((r) => regressor(r as number[])),
            score: (t, p) => r2Score(t, p),
            nRepeats: c.n_repeats,
            seed: c.seed,
          })
        : await permutationImportance<string>({
            rows: c.X,
            y: c.y as string[],
            features: ['a', 'b', 'c', 'd'],
            predict: (rows) => rows.map((r) => classifier(r as number[])),
            score: (t, p) => accuracyScore(t, p),
            nRepeats: c.n_repeats,
            seed: c.seed,
          });
    result.features.forEach((feature, f) => {
      feature.importances.forEach((value, r) => {
        if (!closeTo(value, answer.importances[f]![r]!)) {
          throw new Error(`feature ${f} repeat ${r}: sklearn ${answer.importances[f]![r]}, ours ${value}`);
        }
      });
      expect(closeTo(feature.importanceMean, answer.mean[f]!)).toBe(true);
      expect(closeTo(feature.importanceStd, answer.std[f]!)).toBe(true);
    });
    // The interaction-free feature d of the regressor must matter: a non-trivial case.
    if (c.model === 'regressor' && c.X.length > 10)
      expect(result.features[0]!.importanceMean).toBeGreaterThan(0.05);
  });

  it('refuses bad options and ragged input with coded errors', async () => {
    const base = {
      rows: [[1, 2]],
      y: [1],
      features: ['a', 'b'],
      predict: () => [1],
      score: () => 0,
      seed: 1,
    };
    await expect(permutationImportance({ ...base, seed: -1 })).rejects.toMatchObject({
      code: 'OPTION_INVALID',
      data: { option: 'seed', value: -1 },
    });
    await expect(permutationImportance({ ...base, nRepeats: 0 })).rejects.toMatchObject({
      code: 'OPTION_INVALID',
      data: { option: 'nRepeats', value: 0 },
    });
    await expect(permutationImportance({ ...base, rows: [[1]] })).rejects.toMatchObject({
      code: 'EXPLAIN_INVALID_INPUT',
      data: { row: 0 },
    });
    await expect(permutationImportance({ ...base, predict: () => [] })).rejects.toMatchObject({
      code: 'EXPLAIN_INVALID_INPUT',
    });
  });
});
