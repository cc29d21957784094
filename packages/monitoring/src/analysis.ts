import {
  modelLabel,
  promString,
  thresholdsOf,
  type MonitoredModel,
  type MonitoringThresholds,
} from './model';

/**
 * PromQL of the serving signals, in one place: the alert rules (rules.ts)
 * select a model, a canary analysis selects one version of it; both read the
 * same series the same way.
 */
export function errorRatioExpr(selector: string, window: string, by: string): string {
  const requests = `cairn_model_requests_total{${selector}}`;
  return `sum by (${by}) (rate(cairn_model_requests_total{${selector}, status!~"2.."}[${window}])) / sum by (${by}) (rate(${requests}[${window}]))`;
}

export function latencyQuantileExpr(quantile: number, selector: string, window: string, by: string): string {
  return `histogram_quantile(${quantile}, sum by (${by}, le) (rate(cairn_model_request_duration_seconds_bucket{${selector}}[${window}])))`;
}

export function classShareExpr(selector: string, window: string, by: string): string {
  const rate = `sum by (${by}, class) (rate(cairn_model_predictions_total{${selector}}[${window}]))`;
  return `${rate} / ignoring (class) group_left sum by (${by}) (${rate})`;
}

/** One check of a canary analysis: a PromQL query returning one sample, and the bound it must keep. */
export interface CanaryCheck {
  /** Metric name in the AnalysisTemplate (`error-rate`, …). */
  name: 'error-rate' | 'latency-p99' | 'prediction-shift';
  /** The query, with `version` as the placeholder `{{args.<versionArg>}}` unless a version is given. */
  query: string;
  /** The largest acceptable value (inclusive); from the model's monitoring thresholds. */
  max: number;
  /** The monitoring threshold this bound comes from. */
  threshold: keyof MonitoringThresholds;
}

export interface CanaryCheckOptions {
  /** Range of the rates (PromQL duration); default 5m, as the alert rules. */
  window?: string;
  /** The version label to select; default: the AnalysisTemplate argument `{{args.<versionArg>}}`. */
  version?: string;
  /** Name of the AnalysisTemplate argument holding the canary version; default `canary-version`. */
  versionArg?: string;
}

export const CANARY_VERSION_ARG = 'canary-version';

/**
 * What a canary must keep to be promoted, from the same thresholds as the
 * model's alert rules: its error ratio at most `error_rate`, its p99 latency
 * at most `latency_p99_ms`, and (classification) no class share further than
 * `prediction_shift` from the champion's. The generated AnalysisTemplate and
 * the local analysis (`cairn serve` canary) run exactly these queries.
 */
export function canaryChecks(
  model: MonitoredModel,
  thresholds?: Partial<MonitoringThresholds>,
  options: CanaryCheckOptions = {},
): CanaryCheck[] {
  const t = thresholdsOf(model, thresholds);
  const window = options.window ?? '5m';
  const version = options.version ?? `{{args.${options.versionArg ?? CANARY_VERSION_ARG}}}`;
  const canary = `model=${promString(modelLabel(model))}, version=${promString(version)}`;
  const others = `model=${promString(modelLabel(model))}, version!=${promString(version)}`;
  const checks: CanaryCheck[] = [
    {
      name: 'error-rate',
      query: errorRatioExpr(canary, window, 'model'),
      max: t.error_rate,
      threshold: 'error_rate',
    },
    {
      name: 'latency-p99',
      query: latencyQuantileExpr(0.99, canary, window, 'model'),
      max: t.latency_p99_ms / 1000,
      threshold: 'latency_p99_ms',
    },
  ];
  if (model.labels && model.labels.length > 0) {
    checks.push({
      name: 'prediction-shift',
      query: `max(abs(${classShareExpr(canary, window, 'model')} - on (model, class) ${classShareExpr(others, window, 'model')}))`,
      max: t.prediction_shift,
      threshold: 'prediction_shift',
    });
  }
  return checks;
}
