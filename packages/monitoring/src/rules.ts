import { classShareExpr, errorRatioExpr, latencyQuantileExpr } from './analysis';
import { modelLabel, promString, thresholdsOf, type MonitoredModel, type MonitoringConfig } from './model';

/** Names of the recording rules (what dashboards, other rules and the e2e test read). */
export const RECORDS = {
  requestRate: 'cairn_model:requests:rate5m',
  errorRatio: 'cairn_model:request_errors:ratio_rate5m',
  latencyP50: 'cairn_model:request_duration_seconds:p50_rate5m',
  latencyP90: 'cairn_model:request_duration_seconds:p90_rate5m',
  latencyP99: 'cairn_model:request_duration_seconds:p99_rate5m',
  predictionRate: 'cairn_model:predictions:rate5m',
  classShare: 'cairn_model:prediction_class_share:ratio_rate5m',
  classShift: 'cairn_model:prediction_class_shift:abs',
  maxDrift: 'cairn_model:feature_drift_score:max',
  trainingAge: 'cairn_model:training_age_seconds',
} as const;

export const ALERTS = {
  errorRate: 'CairnModelHighErrorRate',
  latency: 'CairnModelLatencySLO',
  drift: 'CairnModelFeatureDrift',
  predictionShift: 'CairnModelPredictionShift',
  staleness: 'CairnModelStale',
} as const;

export type AlertName = (typeof ALERTS)[keyof typeof ALERTS];

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertingRule>;
}

export interface RuleOptions {
  /** Evaluation interval of the group; default: Prometheus' global one. */
  interval?: string;
  /** `for` duration per alert (how long the condition must hold before it fires). */
  for?: Partial<Record<AlertName, string>>;
}

export const DEFAULT_ALERT_FOR: Record<AlertName, string> = {
  CairnModelHighErrorRate: '5m',
  CairnModelLatencySLO: '5m',
  CairnModelFeatureDrift: '10m',
  CairnModelPredictionShift: '15m',
  CairnModelStale: '10m',
};

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(6))}%`;
}

/**
 * Prometheus recording and alerting rules for one model: error ratio, latency
 * SLO (p99), feature drift, prediction-distribution shift and staleness.
 * Every expression selects `model="<name>"`, so the rule files of many models
 * can be loaded side by side. Thresholds: `thresholds` over
 * `model.thresholds` over DEFAULT_THRESHOLDS.
 */
export function buildPrometheusRules(
  model: MonitoredModel,
  thresholds?: MonitoringConfig,
  options: RuleOptions = {},
): { groups: RuleGroup[] } {
  const t = thresholdsOf(model, thresholds);
  const name = modelLabel(model);
  const sel = `model=${promString(name)}`;
  const forOf = (alert: AlertName) => options.for?.[alert] ?? DEFAULT_ALERT_FOR[alert];
  const requests = `cairn_model_requests_total{${sel}}`;
  const quantile = (q: number) => latencyQuantileExpr(q, sel, '5m', 'model');
  const predictionRate = `sum by (model, class) (rate(cairn_model_predictions_total{${sel}}[5m]))`;

  const records: RecordingRule[] = [
    { record: RECORDS.requestRate, expr: `sum by (model, version, status) (rate(${requests}[5m]))` },
    {
      record: RECORDS.errorRatio,
      expr: errorRatioExpr(sel, '5m', 'model'),
    },
    { record: RECORDS.latencyP50, expr: quantile(0.5) },
    { record: RECORDS.latencyP90, expr: quantile(0.9) },
    { record: RECORDS.latencyP99, expr: quantile(0.99) },
    { record: RECORDS.predictionRate, expr: predictionRate },
    {
      record: RECORDS.classShare,
      expr: classShareExpr(sel, '5m', 'model'),
    },
    {
      record: RECORDS.classShift,
      expr: `abs(${RECORDS.classShare}{${sel}} - on (model, class) max by (model, class) (cairn_model_training_class_share{${sel}}))`,
    },
    { record: RECORDS.maxDrift, expr: `max by (model) (cairn_model_feature_drift_score{${sel}})` },
    {
      record: RECORDS.trainingAge,
      expr: `time() - max by (model) (cairn_model_last_trained_timestamp_seconds{${sel}})`,
    },
  ];

  const alerts: AlertingRule[] = [
    {
      alert: ALERTS.errorRate,
      expr: `${RECORDS.errorRatio}{${sel}} > ${t.error_rate}`,
      for: forOf(ALERTS.errorRate),
      labels: { severity: 'critical' },
      annotations: {
        summary:
          'Model {{ $labels.model }}: more than ' + percent(t.error_rate) + ' of prediction requests fail',
        description: `The share of non-2xx /predict responses over 5 minutes is above model.json monitoring.error_rate (${t.error_rate}).`,
      },
    },
    {
      alert: ALERTS.latency,
      expr: `${RECORDS.latencyP99}{${sel}} > ${t.latency_p99_ms / 1000}`,
      for: forOf(ALERTS.latency),
      labels: { severity: 'warning' },
      annotations: {
        summary: `Model {{ $labels.model }}: p99 latency above ${t.latency_p99_ms} ms`,
        description: `The 99th percentile of /predict latency over 5 minutes breaks the SLO of model.json monitoring.latency_p99_ms (${t.latency_p99_ms} ms).`,
      },
    },
    {
      alert: ALERTS.drift,
      expr: `max by (model, feature) (cairn_model_feature_drift_score{${sel}}) > ${t.drift_threshold}`,
      for: forOf(ALERTS.drift),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Model {{ $labels.model }}: feature {{ $labels.feature }} drifted',
        description: `The drift score (PSI against the training reference) of the feature is above model.json monitoring.drift_threshold (${t.drift_threshold}); consider retraining.`,
      },
    },
    {
      alert: ALERTS.predictionShift,
      expr: `${RECORDS.classShift}{${sel}} > ${t.prediction_shift}`,
      for: forOf(ALERTS.predictionShift),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Model {{ $labels.model }}: share of class {{ $labels.class }} moved away from training',
        description: `The live share of predictions of this class differs from its share in the training data by more than model.json monitoring.prediction_shift (${t.prediction_shift}).`,
      },
    },
    {
      alert: ALERTS.staleness,
      expr: `${RECORDS.trainingAge}{${sel}} > ${t.staleness_days * 86400}`,
      for: forOf(ALERTS.staleness),
      labels: { severity: 'warning' },
      annotations: {
        summary: `Model {{ $labels.model }}: trained more than ${t.staleness_days} days ago`,
        description: `The version in service is older than model.json monitoring.staleness_days (${t.staleness_days}); retrain it on fresh data.`,
      },
    },
  ];

  return {
    groups: [
      {
        name: `cairn.${name}`,
        ...(options.interval ? { interval: options.interval } : {}),
        rules: [...records, ...alerts],
      },
    ],
  };
}
