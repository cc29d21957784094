import { metricsError } from './errors';

/** A class label: scikit-learn accepts numbers or strings (not a mix). */
export type Label = string | number;

/** Code-point order, as numpy sorts unicode strings (JS `<` compares UTF-16 units). */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Sort order of labels as `np.unique` gives it: numbers ascending, strings by code point. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareStrings(String(a), String(b));
}

export function sortLabels(labels: Iterable<Label>): Label[] {
  const list = [...new Set(labels)];
  checkLabelTypes(list);
  return list.sort(compareLabels);
}

function checkLabelTypes(labels: Label[]): void {
  let numbers = 0;
  for (const label of labels) {
    if (typeof label === 'number') {
      if (Number.isNaN(label)) throw metricsError('METRICS_INVALID_LABEL', 'labels must not be NaN');
      numbers++;
    }
  }
  if (numbers !== 0 && numbers !== labels.length) {
    throw metricsError(
      'METRICS_MIXED_LABEL_TYPES',
      `labels mix numbers and strings: ${JSON.stringify(labels.slice(0, 10))}`,
      {
        labels: labels.slice(0, 10),
      },
    );
  }
}

/** Labels replaced by their index into the sorted label list, computed once and shared by every metric. */
export interface EncodedLabels {
  /** Sorted distinct labels (union of every input, plus any extra labels given). */
  labels: Label[];
  /** One code array per input, each code an index into `labels`. */
  codes: Int32Array[];
}

/**
 * Adds the distinct values of `values` to `into`. Label sets are small, so a
 * short list is scanned before touching the Set: much faster on long arrays.
 */
export function distinctSorted(values: ArrayLike<Label>): Label[] {
  const set = new Set<Label>();
  collectDistinct(values, set);
  return sortLabels(set);
}

export function collectDistinct(values: ArrayLike<Label>, into: Set<Label>): void {
  const few: Label[] = [];
  let last: Label | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === last) continue;
    last = v;
    if (few.length < 16) {
      if (few.includes(v)) continue;
      few.push(v);
    }
    into.add(v);
  }
}

/**
 * Encodes label arrays against their sorted union (`unique_labels` in
 * scikit-learn). `extra` labels join the union even if absent from the data.
 */
export function encodeLabels(arrays: ArrayLike<Label>[], extra: Iterable<Label> = []): EncodedLabels {
  const seen = new Set<Label>(extra);
  for (const values of arrays) collectDistinct(values, seen);
  const labels = sortLabels(seen);
  const index = new Map<Label, number>();
  labels.forEach((label, i) => index.set(label, i));
  const small = labels.length <= 8;
  const codes = arrays.map((values) => {
    const out = new Int32Array(values.length);
    let last: Label | undefined;
    let lastCode = -1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== last) {
        last = v;
        lastCode = small ? labels.indexOf(v) : index.get(v)!;
      }
      out[i] = lastCode;
    }
    return out;
  });
  return { labels, codes };
}

/** Index of `label` in `labels`, or -1. Numbers and their string forms are not equal, as in numpy. */
export function labelIndex(labels: Label[], label: Label): number {
  return labels.findIndex((l) => l === label);
}

/**
 * The positive label when none is given: the greater of two labels (what
 * `roc_auc_score` uses, and scikit-learn's `pos_label=1` for {0, 1} and
 * {-1, 1}); with a single label present, 1 if that label is -1, 0 or 1 (as
 * scikit-learn's default, so all-negative data has no positives), else that label.
 */
export function defaultPosLabel(present: Label[]): Label {
  const last = present[present.length - 1];
  if (last === undefined) throw metricsError('METRICS_EMPTY_INPUT', 'no labels');
  if (present.length === 1 && (last === -1 || last === 0 || last === 1)) return 1;
  return last;
}
