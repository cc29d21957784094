/**
 * Minimal counter and histogram families for the request hot path.
 *
 * prom-client hashes the label set on every `inc`/`observe`, even through a
 * `labels()` child (~2-5 µs a call here); a model server does several per
 * request. These families resolve a label set to a plain object once and
 * then only add numbers. They implement the metric interface prom-client's
 * Registry renders (`name`, `help`, `type`, `get()`), so /metrics output is
 * the standard text format.
 */
/** Index of the first bound >= value (Prometheus `le` semantics); bounds.length for +Inf. */
export function bucketIndex(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export type Labels = Record<string, string>;

export interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export interface MetricSnapshot {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricValue[];
}

export class CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(amount = 1): void {
    this.value += amount;
  }
  reset(): void {
    this.value = 0;
  }
}

/**
 * What every family shares: series kept by key, the snapshot prom-client's
 * Registry renders, and reset. A family says how a key's series is made and
 * how its series become values.
 */
export abstract class SeriesFamily<Series extends { reset(): void }> {
  abstract readonly type: string;
  readonly aggregator = 'sum';
  protected readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  protected abstract values(): MetricValue[];

  /** The series under `key`, made by `create` the first time (so it is exported before its first event). */
  protected seriesFor(key: string, create: () => Series): Series {
    let series = this.series.get(key);
    if (!series) {
      series = create();
      this.series.set(key, series);
    }
    return series;
  }

  get(): MetricSnapshot {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values(),
    };
  }

  reset(): void {
    for (const series of this.series.values()) series.reset();
  }
}

export class CounterFamily extends SeriesFamily<CounterSeries> {
  readonly type = 'counter';

  /** The series for this label set, created at 0. */
  withLabels(labels: Labels): CounterSeries {
    return this.seriesFor(JSON.stringify(labels), () => new CounterSeries(labels));
  }

  protected values(): MetricValue[] {
    return [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels }));
  }
}

export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  /** Records `value`; returns the bucket it fell in. */
  observe(value: number): number {
    const index = bucketIndex(this.bounds, value);
    this.counts[index] = (this.counts[index] as number) + 1;
    this.sum += value;
    this.count += 1;
    return index;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** Histogram values in the Prometheus format: cumulative `_bucket{le}`, `_sum`, `_count`. */
export function histogramValues(name: string, series: Iterable<HistogramSeries>): MetricValue[] {
  const values: MetricValue[] = [];
  for (const s of series) {
    let cumulative = 0;
    s.bounds.forEach((bound, i) => {
      cumulative += s.counts[i] as number;
      values.push({ value: cumulative, labels: { ...s.labels, le: bound }, metricName: `${name}_bucket` });
    });
    values.push({ value: s.count, labels: { ...s.labels, le: '+Inf' }, metricName: `${name}_bucket` });
    values.push({ value: s.sum, labels: s.labels, metricName: `${name}_sum` });
    values.push({ value: s.count, labels: s.labels, metricName: `${name}_count` });
  }
  return values;
}

export class HistogramFamily extends SeriesFamily<HistogramSeries> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[],
  ) {
    super(name, help);
  }

  withLabels(labels: Labels): HistogramSeries {
    return this.seriesFor(JSON.stringify(labels), () => new HistogramSeries(labels, this.bounds));
  }

  protected values(): MetricValue[] {
    return histogramValues(this.name, this.series.values());
  }
}
