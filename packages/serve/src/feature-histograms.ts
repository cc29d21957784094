/**
 * Per-feature value histograms and a live drift estimate, in one place because
 * both bin values the same way.
 *
 * prom-client gives every series of a Histogram the same buckets, but feature
 * ranges differ wildly (a petal width vs an income), so this collector keeps
 * its own buckets per feature and renders them in the Prometheus histogram
 * format (`_bucket{le}`, `_sum`, `_count`) through prom-client's registry.
 */

import {
  bucketIndex,
  histogramValues,
  HistogramSeries,
  SeriesFamily,
  type MetricValue,
} from './fast-metrics';

/** Upper bounds used when no reference data says where a feature's values lie. */
export const DEFAULT_FEATURE_BUCKETS = [-1000, -100, -10, -1, -0.1, 0, 0.1, 1, 10, 100, 1000];

/** Evidently replaces empty bins by this share before taking logarithms. */
const PSI_EMPTY_SHARE = 0.0001;

/** Interior decile cut points of `values` (linear interpolation, as numpy's default), deduplicated. */
export function decileBounds(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [...DEFAULT_FEATURE_BUCKETS];
  const bounds: number[] = [];
  for (let k = 1; k < 10; k += 1) {
    const position = (k / 10) * (sorted.length - 1);
    const low = Math.floor(position);
    const high = Math.min(low + 1, sorted.length - 1);
    const value =
      (sorted[low] as number) + (position - low) * ((sorted[high] as number) - (sorted[low] as number));
    if (bounds.length === 0 || value > (bounds[bounds.length - 1] as number)) bounds.push(value);
  }
  return bounds;
}

/** Population stability index of `actual` against `expected` shares (both summing to 1). */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  let psi = 0;
  expected.forEach((e, i) => {
    const ref = e === 0 ? PSI_EMPTY_SHARE : e;
    const cur = (actual[i] ?? 0) === 0 ? PSI_EMPTY_SHARE : (actual[i] as number);
    psi += (cur - ref) * Math.log(cur / ref);
  });
  return psi;
}

class FeatureSeries extends HistogramSeries {
  /** Sliding window of the most recent bucket indices, for the drift score. */
  private readonly window: Int32Array | undefined;
  private readonly windowCounts: Float64Array | undefined;
  private windowFill = 0;
  private windowPos = 0;

  constructor(
    labels: Record<string, string>,
    bounds: number[],
    readonly referenceShares: number[] | undefined,
    windowSize: number,
  ) {
    super(labels, bounds);
    if (referenceShares) {
      this.window = new Int32Array(windowSize);
      this.windowCounts = new Float64Array(bounds.length + 1);
    }
  }

  override observe(value: number): number {
    const index = super.observe(value);
    this.track(index);
    return index;
  }

  private track(index: number): void {
    const window = this.window;
    const windowCounts = this.windowCounts;
    if (window && windowCounts) {
      if (this.windowFill === window.length) {
        const old = window[this.windowPos] as number;
        windowCounts[old] = (windowCounts[old] as number) - 1;
      } else {
        this.windowFill += 1;
      }
      window[this.windowPos] = index;
      windowCounts[index] = (windowCounts[index] as number) + 1;
      this.windowPos = (this.windowPos + 1) % window.length;
    }
  }

  driftScore(minSamples: number): number | undefined {
    if (!this.referenceShares || !this.windowCounts || this.windowFill < minSamples) return undefined;
    const fill = this.windowFill;
    return populationStabilityIndex(
      this.referenceShares,
      Array.from(this.windowCounts, (c) => c / fill),
    );
  }
}

export interface FeatureHistogramOptions {
  name: string;
  help: string;
  model: string;
  features: string[];
  /** Reference (training) values per feature: buckets become its deciles and drift scores are computed. */
  reference?: Record<string, number[]>;
  /** Explicit upper bounds per feature (take precedence over the reference deciles). */
  buckets?: Record<string, number[]>;
  /** Most recent values per feature the drift score looks at. */
  driftWindow?: number;
  /** Fewer values than this in the window: no drift score yet. */
  driftMinSamples?: number;
}

/** A prom-client-compatible metric object (registry.registerMetric accepts it). */
export class FeatureHistograms extends SeriesFamily<FeatureSeries> {
  readonly type = 'histogram';
  private readonly minSamples: number;

  constructor(options: FeatureHistogramOptions) {
    super(options.name, options.help);
    this.minSamples = options.driftMinSamples ?? 50;
    for (const feature of options.features) {
      const reference = options.reference?.[feature]?.filter((v) => Number.isFinite(v));
      const bounds =
        options.buckets?.[feature] ??
        (reference && reference.length > 0 ? decileBounds(reference) : DEFAULT_FEATURE_BUCKETS);
      let shares: number[] | undefined;
      if (reference && reference.length > 0) {
        const counts = new Array<number>(bounds.length + 1).fill(0);
        for (const value of reference) {
          const index = bucketIndex(bounds, value);
          counts[index] = (counts[index] ?? 0) + 1;
        }
        shares = counts.map((c) => c / reference.length);
      }
      this.series.set(
        feature,
        new FeatureSeries({ model: options.model, feature }, bounds, shares, options.driftWindow ?? 1000),
      );
    }
  }

  observe(feature: string, value: number): void {
    this.series.get(feature)?.observe(value);
  }

  /** Drift score per feature that has a reference and enough recent values. */
  driftScores(): Map<string, number> {
    const scores = new Map<string, number>();
    for (const [feature, series] of this.series) {
      const score = series.driftScore(this.minSamples);
      if (score !== undefined) scores.set(feature, score);
    }
    return scores;
  }

  protected values(): MetricValue[] {
    return histogramValues(this.name, this.series.values());
  }
}
