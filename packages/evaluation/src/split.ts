import { evaluationError } from './errors';
import { mulberry32, shuffleInPlace } from './random';

type ClassKey = string | number;

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed))
    throw evaluationError('OPTION_INVALID', `seed must be an integer, got ${seed}`, {
      option: 'seed',
      value: seed,
    });
}

/** Row indices grouped by class, classes in a fixed order (numbers ascending, then strings). */
function groupByClass<T>(
  rows: T[],
  stratify: (row: T) => ClassKey,
): Array<{ key: ClassKey; indices: number[] }> {
  const groups = new Map<ClassKey, number[]>();
  rows.forEach((row, i) => {
    const key = stratify(row);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(i);
  });
  return [...groups.entries()]
    .map(([key, indices]) => ({ key, indices }))
    .sort((a, b) =>
      typeof a.key === 'number' && typeof b.key === 'number'
        ? a.key - b.key
        : typeof a.key === 'number'
          ? -1
          : typeof b.key === 'number'
            ? 1
            : a.key < b.key
              ? -1
              : a.key > b.key
                ? 1
                : 0,
    );
}

/**
 * Splits `total` among groups in proportion to their sizes (largest remainder
 * method; ties go to the larger group, then to the earlier one), never giving
 * a group more than it has.
 */
function apportion(sizes: number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (total * s) / n);
  const quota = exact.map((e) => Math.floor(e));
  let left = total - quota.reduce((a, b) => a + b, 0);
  const order = sizes
    .map((_, i) => i)
    .sort((a, b) => exact[b]! - quota[b]! - (exact[a]! - quota[a]!) || sizes[b]! - sizes[a]! || a - b);
  for (const i of order) {
    if (left === 0) break;
    if (quota[i]! < sizes[i]!) {
      quota[i]!++;
      left--;
    }
  }
  return quota;
}

/**
 * Deterministic, seeded train/test split. `ceil(testFraction × n)` rows go to
 * test (as scikit-learn's `train_test_split`). With `stratify`, every class is
 * shuffled on its own and contributes its proportional share (largest
 * remainder), in the spirit of StratifiedShuffleSplit; not bit-identical to
 * scikit-learn. Both parts keep the rows' original order. PRNG: mulberry32.
 */
export function trainTestSplit<T>(
  rows: T[],
  options: { testFraction: number; seed: number; stratify?: (row: T) => string | number },
): { train: T[]; test: T[] } {
  const { testFraction, seed } = options;
  checkSeed(seed);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw evaluationError(
      'OPTION_INVALID',
      `testFraction must be between 0 and 1 (exclusive), got ${testFraction}`,
      {
        option: 'testFraction',
        value: testFraction,
      },
    );
  }
  const n = rows.length;
  const nTest = Math.ceil(testFraction * n);
  if (n < 2 || nTest >= n) {
    throw evaluationError(
      'EVAL_TOO_FEW_ROWS',
      `cannot split ${n} rows with testFraction ${testFraction}: train or test would be empty`,
      {
        rows: n,
        testFraction,
      },
    );
  }
  const random = mulberry32(seed);
  const inTest = new Uint8Array(n);
  if (options.stratify) {
    const groups = groupByClass(rows, options.stratify);
    const quotas = apportion(
      groups.map((g) => g.indices.length),
      nTest,
    );
    groups.forEach((g, gi) => {
      const shuffled = shuffleInPlace([...g.indices], random);
      for (let i = 0; i < quotas[gi]!; i++) inTest[shuffled[i]!] = 1;
    });
  } else {
    const order = shuffleInPlace(
      Array.from({ length: n }, (_, i) => i),
      random,
    );
    for (let i = 0; i < nTest; i++) inTest[order[i]!] = 1;
  }
  const train: T[] = [];
  const test: T[] = [];
  rows.forEach((row, i) => (inTest[i] ? test : train).push(row));
  return { train, test };
}

/**
 * Stratified k-fold cross-validation: returns k {train, test} index sets
 * (sorted). Every row is in exactly one test fold; each class is shuffled
 * (seeded, mulberry32) and dealt round-robin over the folds, continuing where
 * the previous class stopped, so per-class counts per fold differ by at most
 * one and fold sizes too. Throws EVAL_CLASS_TOO_SMALL when a class has fewer
 * than k rows (scikit-learn only warns, and then produces folds without that class).
 */
export function stratifiedKFold<T>(
  rows: T[],
  options: { k: number; seed: number; stratify: (row: T) => string | number },
): Array<{ train: number[]; test: number[] }> {
  const { k, seed } = options;
  checkSeed(seed);
  if (!Number.isInteger(k) || k < 2) {
    throw evaluationError('OPTION_INVALID', `k must be an integer >= 2, got ${k}`, {
      option: 'k',
      value: k,
    });
  }
  if (rows.length < k) {
    throw evaluationError('EVAL_TOO_FEW_ROWS', `cannot make ${k} folds from ${rows.length} rows`, {
      rows: rows.length,
      k,
    });
  }
  const groups = groupByClass(rows, options.stratify);
  const small = groups.filter((g) => g.indices.length < k);
  if (small.length > 0) {
    const list = small.map((g) => `${JSON.stringify(g.key)} (${g.indices.length})`).join(', ');
    throw evaluationError(
      'EVAL_CLASS_TOO_SMALL',
      `${small.length === 1 ? 'class' : 'classes'} ${list} ${small.length === 1 ? 'has' : 'have'} fewer than k=${k} rows`,
      { k, classes: small.map((g) => ({ class: g.key, rows: g.indices.length })) },
      `use at most ${Math.min(...groups.map((g) => g.indices.length))} folds, or gather more rows of the rare ${small.length === 1 ? 'class' : 'classes'}`,
    );
  }
  const random = mulberry32(seed);
  const fold = new Int32Array(rows.length);
  let next = 0;
  for (const g of groups) {
    for (const index of shuffleInPlace([...g.indices], random)) {
      fold[index] = next;
      next = (next + 1) % k;
    }
  }
  const folds = Array.from({ length: k }, () => ({ train: [] as number[], test: [] as number[] }));
  for (let i = 0; i < rows.length; i++) {
    for (let f = 0; f < k; f++) (fold[i] === f ? folds[f]!.test : folds[f]!.train).push(i);
  }
  return folds;
}
