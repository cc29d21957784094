/**
 * Evidently's `get_binned_data` (evidently 0.4.x,
 * src/evidently/calculations/stattests/utils.py): numerical columns whose
 * reference has more than 20 distinct values are cut into equal-width bins
 * chosen by numpy's "sturges" rule over reference + current together;
 * everything else is compared category by category.
 */
export type Value = number | string;

export interface BinnedShares {
  reference: Float64Array;
  current: Float64Array;
  /** Bin edges (numerical binning) or category keys, for reports. */
  edges?: Float64Array;
  keys?: Value[];
}

/** numpy.histogram_bin_edges(values, bins='sturges'). */
export function sturgesBinEdges(values: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(values.length) + 1.0);
  const nBins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, nBins + 1);
}

/** numpy.linspace(start, stop, num) with endpoint. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) {
    out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  }
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** numpy.histogram(values, edges)[0]: [e_i, e_i+1) bins, the last one closed. */
export function histogramCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const nBins = edges.length - 1;
  const counts = new Float64Array(nBins);
  const first = edges[0] as number;
  const last = edges[nBins] as number;
  const step = (last - first) / nBins;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!(x >= first && x <= last)) continue;
    let k = Math.min(Math.max(Math.floor((x - first) / step), 0), nBins - 1);
    while (k > 0 && x < (edges[k] as number)) k--;
    while (k < nBins - 1 && x >= (edges[k + 1] as number)) k++;
    counts[k] = (counts[k] as number) + 1;
  }
  return counts;
}

/** Whether `values` holds more than `limit` distinct values (stops counting early). */
function hasMoreDistinctThan(values: ArrayLike<Value>, limit: number): boolean {
  const seen = new Set<Value>();
  for (let i = 0; i < values.length; i++) {
    seen.add(values[i] as Value);
    if (seen.size > limit) return true;
  }
  return false;
}

export function categoryCounts(values: ArrayLike<Value>): Map<Value, number> {
  const counts = new Map<Value, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as Value;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/** Union of the categories of both samples, reference order first. */
export function unionKeys(reference: Map<Value, number>, current: Map<Value, number>): Value[] {
  const keys = [...reference.keys()];
  for (const k of current.keys()) if (!reference.has(k)) keys.push(k);
  return keys;
}

export function binnedShares(
  reference: ArrayLike<Value>,
  current: ArrayLike<Value>,
  numerical: boolean,
  fillZeroes: boolean,
): BinnedShares {
  let result: BinnedShares;
  if (numerical && hasMoreDistinctThan(reference, 20)) {
    const ref = reference as ArrayLike<number>;
    const cur = current as ArrayLike<number>;
    const all = new Float64Array(ref.length + cur.length);
    all.set(ref, 0);
    all.set(cur, ref.length);
    const edges = sturgesBinEdges(all);
    const refCounts = histogramCounts(ref, edges);
    const curCounts = histogramCounts(cur, edges);
    result = {
      reference: refCounts.map((c) => c / ref.length),
      current: curCounts.map((c) => c / cur.length),
      edges,
    };
  } else {
    const refCounts = categoryCounts(reference);
    const curCounts = categoryCounts(current);
    const keys = unionKeys(refCounts, curCounts);
    result = {
      reference: Float64Array.from(keys, (k) => (refCounts.get(k) ?? 0) / reference.length),
      current: Float64Array.from(keys, (k) => (curCounts.get(k) ?? 0) / current.length),
      keys,
    };
  }
  if (fillZeroes) {
    fillZeroShares(result.reference);
    fillZeroShares(result.current);
  }
  return result;
}

/**
 * Evidently's zero handling: empty bins get min(non-zero share)/1e6 when that
 * minimum is <= 0.0001, and 0.0001 otherwise.
 */
export function fillZeroShares(shares: Float64Array): void {
  let min = Infinity;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}
