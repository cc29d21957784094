import { npSum } from '@cairn/metrics';

/**
 * Mean and standard deviation per metric over cross-validation folds. The
 * standard deviation is the population one (ddof=0), as numpy's `np.std`
 * default; sums use numpy's pairwise order. Non-finite values (a metric
 * undefined on some fold) are left out; a metric with no finite value at all
 * is omitted.
 */
export function summarizeFolds(
  results: Array<Record<string, number>>,
): Record<string, { mean: number; std: number }> {
  const keys: string[] = [];
  for (const result of results)
    for (const key of Object.keys(result)) if (!keys.includes(key)) keys.push(key);
  const summary: Record<string, { mean: number; std: number }> = {};
  for (const key of keys) {
    const values = results
      .map((r) => r[key])
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    const mean = npSum(values) / values.length;
    const std = Math.sqrt(npSum(values.map((v) => (v - mean) ** 2)) / values.length);
    summary[key] = { mean, std };
  }
  return summary;
}
