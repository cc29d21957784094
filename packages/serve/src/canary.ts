import { cairnError } from '@cairn/errors';
import { clipText } from './errors';
import { LATENCY_BUCKETS, type LaneSnapshot } from './model-metrics';
import type { TrafficControl } from './server';

/** The bounds a challenger must keep; default from the model's monitoring thresholds. */
export interface CanaryThresholds {
  /** Highest acceptable share of failed requests, 0..1 (monitoring.error_rate). */
  error_rate: number;
  /** p99 latency bound in milliseconds (monitoring.latency_p99_ms). */
  latency_p99_ms: number;
  /** Largest |challenger class share − champion class share| (monitoring.prediction_shift). */
  prediction_shift: number;
  /** Largest drop of live accuracy below the champion's, 0..1 (monitoring.accuracy_drop). */
  accuracy_drop: number;
}

export interface CanaryRules {
  thresholds: CanaryThresholds;
  /** Challenger requests a window needs before anything is decided (default 200). */
  minRequests?: number;
  /** Labels per lane before live accuracy is compared (default 50). */
  minLabels?: number;
}

export interface CanaryCheckResult {
  name: 'error-rate' | 'latency-p99' | 'prediction-shift' | 'live-accuracy';
  value: number;
  /** The bound: at most `max`, or (live accuracy) at least `min`. */
  max?: number;
  min?: number;
  pass: boolean;
  /** Reported but not decisive (prediction shift once live accuracy is measured). */
  advisory?: boolean;
}

export interface CanaryVerdict {
  decision: 'promote' | 'rollback' | 'wait';
  reason: string;
  checks: CanaryCheckResult[];
  window: { championRequests: number; challengerRequests: number };
}

/** Counts of a window: `end` − `start` of a lane's cumulative snapshot. */
export function windowOf(start: LaneSnapshot, end: LaneSnapshot): LaneSnapshot {
  const classCounts: Record<string, number> = {};
  for (const [label, count] of Object.entries(end.classCounts))
    classCounts[label] = count - (start.classCounts[label] ?? 0);
  return {
    requests: end.requests - start.requests,
    errors: end.errors - start.errors,
    latencyCounts: end.latencyCounts.map((count, i) => count - (start.latencyCounts[i] ?? 0)),
    classCounts,
    correct: end.correct - start.correct,
    labelled: end.labelled - start.labelled,
  };
}

/**
 * The q-quantile of a bucketed histogram as Prometheus' histogram_quantile
 * computes it: linear interpolation inside the bucket that holds the rank,
 * the lowest bucket starting at 0, the highest finite bound when the rank
 * falls in +Inf. NaN for an empty histogram.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (cumulative + count >= rank && count > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + (bounds[i]! - lower) * ((rank - cumulative) / count);
    }
    cumulative += count;
  }
  return bounds[bounds.length - 1]!;
}

function shares(counts: Record<string, number>): Map<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return new Map(Object.entries(counts).map(([label, n]) => [label, total === 0 ? 0 : n / total]));
}

/**
 * Compares one window of challenger traffic with the champion's: the
 * challenger is rolled back when its error share, p99 latency, class-share
 * shift or live-accuracy drop breaks its bound; promoted when all hold; left
 * waiting while its window holds fewer than `minRequests` requests.
 */
export function analyzeCanary(
  champion: LaneSnapshot,
  challenger: LaneSnapshot,
  rules: CanaryRules,
): CanaryVerdict {
  const t = rules.thresholds;
  const window = { championRequests: champion.requests, challengerRequests: challenger.requests };
  const minRequests = rules.minRequests ?? 200;
  const checks: CanaryCheckResult[] = [];
  const errorRate = challenger.requests === 0 ? 0 : challenger.errors / challenger.requests;
  checks.push({ name: 'error-rate', value: errorRate, max: t.error_rate, pass: errorRate <= t.error_rate });
  const p99 = histogramQuantile(0.99, LATENCY_BUCKETS, challenger.latencyCounts);
  const maxSeconds = t.latency_p99_ms / 1000;
  checks.push({ name: 'latency-p99', value: p99, max: maxSeconds, pass: !(p99 > maxSeconds) });
  const championShares = shares(champion.classCounts);
  const challengerShares = shares(challenger.classCounts);
  if (championShares.size > 0 && champion.requests > 0) {
    let shift = 0;
    for (const label of new Set([...championShares.keys(), ...challengerShares.keys()]))
      shift = Math.max(
        shift,
        Math.abs((challengerShares.get(label) ?? 0) - (championShares.get(label) ?? 0)),
      );
    checks.push({
      name: 'prediction-shift',
      value: shift,
      max: t.prediction_shift,
      pass: shift <= t.prediction_shift,
    });
  }
  const minLabels = rules.minLabels ?? 50;
  if (champion.labelled >= minLabels && challenger.labelled >= minLabels) {
    const championAccuracy = champion.correct / champion.labelled;
    const accuracy = challenger.correct / challenger.labelled;
    const min = championAccuracy - t.accuracy_drop;
    checks.push({ name: 'live-accuracy', value: accuracy, min, pass: accuracy >= min });
    // With labels, accuracy is the ground truth: a version retrained on shifted data is meant to predict differently.
    const shift = checks.find((c) => c.name === 'prediction-shift');
    if (shift) shift.advisory = true;
  }
  if (challenger.requests < minRequests) {
    return {
      decision: 'wait',
      reason: `challenger served ${challenger.requests} of the ${minRequests} requests a decision needs`,
      checks,
      window,
    };
  }
  const failed = checks.filter((c) => !c.pass && !c.advisory);
  if (failed.length > 0) {
    return {
      decision: 'rollback',
      reason: failed
        .map(
          (c) => `${c.name} ${round(c.value)} ${c.max !== undefined ? `> ${c.max}` : `< ${round(c.min!)}`}`,
        )
        .join('; '),
      checks,
      window,
    };
  }
  return { decision: 'promote', reason: 'every check within its bound', checks, window };
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}

/**
 * The registry as canary delivery needs it (bound to @cairn/registry by the
 * pipeline): who holds an alias, moving it, and the audit trail.
 */
export interface DeliveryRegistry {
  /** Moves `alias` of the model to `version` (compare-and-swap on the registry's side). */
  moveAlias(alias: string, version: string, reason: string): Promise<void>;
  /** Appends an entry to the audit trail. */
  audit(entry: CanaryAuditEntry): Promise<void>;
}

export interface CanaryAuditEntry {
  action: 'canary-promote' | 'canary-rollback';
  champion: string;
  challenger: string;
  reason: string;
  checks: CanaryCheckResult[];
  window: CanaryVerdict['window'];
}

/**
 * Runs the analysis over windows of live traffic on a running server and
 * acts on it: promote (the registry's champion alias moves to the
 * challenger, the server swaps lanes) or roll back (the challenger stops
 * serving), with one audit entry per decision. `evaluate()` closes the
 * current window; the caller decides how often (a timer, a request count).
 */
export class CanaryController {
  private start?: { champion: LaneSnapshot; challenger: LaneSnapshot };

  constructor(
    private readonly traffic: TrafficControl,
    private readonly registry: DeliveryRegistry,
    private readonly rules: CanaryRules,
  ) {
    this.start = this.snapshots();
  }

  private snapshots(): { champion: LaneSnapshot; challenger: LaneSnapshot } | undefined {
    const champion = this.traffic.laneMetrics('champion');
    const challenger = this.traffic.laneMetrics('challenger');
    if (!champion || !challenger) return undefined;
    return { champion: champion.snapshot(), challenger: challenger.snapshot() };
  }

  /** Analyzes the window since the last decision (or start) and acts on it. */
  async evaluate(): Promise<CanaryVerdict | undefined> {
    const lanes = this.traffic.lanes();
    const now = this.snapshots();
    if (!now || !this.start || !lanes.champion || !lanes.challenger) return undefined;
    const verdict = analyzeCanary(
      windowOf(this.start.champion, now.champion),
      windowOf(this.start.challenger, now.challenger),
      this.rules,
    );
    if (verdict.decision === 'wait') return verdict;
    const entry: CanaryAuditEntry = {
      action: verdict.decision === 'promote' ? 'canary-promote' : 'canary-rollback',
      champion: lanes.champion.version,
      challenger: lanes.challenger.version,
      reason: verdict.reason,
      checks: verdict.checks,
      window: verdict.window,
    };
    if (verdict.decision === 'rollback') {
      // Traffic first: a bad version stops answering before anything slower happens.
      await this.traffic.rollback();
      await this.registry.audit(entry);
    } else {
      await this.registry.moveAlias('champion', lanes.challenger.version, verdict.reason);
      await this.traffic.promote();
      await this.registry.audit(entry);
    }
    this.start = undefined;
    return verdict;
  }
}

/** One check as Prometheus evaluates it: the AnalysisTemplate's query and bound (from @cairn/monitoring canaryChecks). */
export interface PrometheusCheck {
  name: string;
  query: string;
  max: number;
}

/**
 * Runs the checks against a Prometheus server's query API, as Argo Rollouts'
 * Prometheus provider does with `successCondition: result[0] <= max`: a check
 * passes when the first sample is at most its bound, fails above it, and is
 * inconclusive (`value: NaN`) when the query returns no sample or NaN.
 */
export async function runPrometheusChecks(
  prometheusUrl: string,
  checks: PrometheusCheck[],
): Promise<Array<{ name: string; value: number; max: number; pass: boolean | undefined }>> {
  const results = [];
  for (const check of checks) {
    const url = `${prometheusUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(check.query)}`;
    const failed = (problem: string) =>
      cairnError('CANARY_PROMETHEUS_FAILED', `${prometheusUrl}: check ${check.name}: ${clipText(problem)}`, {
        data: { url: prometheusUrl, check: check.name },
      });
    let body: { status?: string; data?: { result: Array<{ value: [number, string] }> }; error?: string };
    try {
      body = (await (await fetch(url)).json()) as typeof body;
    } catch (error) {
      throw failed((error as Error).message);
    }
    if (body.status !== 'success') throw failed(body.error ?? 'the query API did not answer success');
    const sample = body.data?.result[0];
    const value = sample ? Number(sample.value[1]) : Number.NaN;
    results.push({
      name: check.name,
      value,
      max: check.max,
      pass: Number.isNaN(value) ? undefined : value <= check.max,
    });
  }
  return results;
}
