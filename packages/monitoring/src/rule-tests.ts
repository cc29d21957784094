import { modelLabel, thresholdsOf, type MonitoredModel, type MonitoringConfig } from './model';
import { ALERTS, buildPrometheusRules, RECORDS, type AlertingRule, type RuleOptions } from './rules';

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export interface RuleTest {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test?: Array<{ eval_time: string; alertname: string; exp_alerts: ExpectedAlert[] }>;
  promql_expr_test?: Array<{
    expr: string;
    eval_time: string;
    exp_samples: Array<{ labels: string; value: number }>;
  }>;
}

export interface RuleTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: RuleTest[];
}

const STEPS = 40;
const EVAL_TIME = '30m';
const EVAL_SECONDS = 30 * 60;

function seriesName(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** A counter rising by `perMinute` every 1m sample. */
const rising = (perMinute: number) => `0+${perMinute}x${STEPS}`;
const constant = (value: number) => `${value}+0x${STEPS}`;

function roundLikePrometheus(value: number, toNearest: number): number {
  const inverse = 1 / toNearest;
  return Math.floor(value * inverse + 0.5) / inverse;
}

function render(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, key: string) => labels[key] ?? '');
}

/**
 * promtool unit tests for the rules of `buildPrometheusRules`: for every
 * alert, one synthetic series set on which it fires (with the exact labels and
 * annotations expected) and one healthy set on which it stays quiet, both
 * derived from the model's thresholds; plus value checks of the recording
 * rules the alerts rely on. Write next to the rules as `rules.test.yml` and run
 * `promtool test rules rules.test.yml`.
 */
export function buildRuleTests(
  model: MonitoredModel,
  thresholds?: MonitoringConfig,
  options: RuleOptions & { ruleFile?: string } = {},
): RuleTestFile {
  const t = thresholdsOf(model, thresholds);
  const name = modelLabel(model);
  const base = { model: name, version: 'v1' };
  const rules = buildPrometheusRules(model, thresholds, options).groups.flatMap((g) => g.rules);
  const alertRule = (alert: string) =>
    rules.find((r): r is AlertingRule => 'alert' in r && r.alert === alert) as AlertingRule;
  const expected = (alert: string, labels: Record<string, string>): ExpectedAlert => {
    const rule = alertRule(alert);
    const all = { ...labels, ...rule.labels };
    return {
      exp_labels: all,
      exp_annotations: Object.fromEntries(
        Object.entries(rule.annotations).map(([k, v]) => [k, render(v, all)]),
      ),
    };
  };
  const tests: RuleTest[] = [];
  const pair = (
    alert: string,
    healthy: InputSeries[],
    firing: InputSeries[],
    firingAlerts: ExpectedAlert[],
  ) => {
    tests.push({
      name: `${alert} stays quiet on healthy series`,
      interval: '1m',
      input_series: healthy,
      alert_rule_test: [{ eval_time: EVAL_TIME, alertname: alert, exp_alerts: [] }],
    });
    tests.push({
      name: `${alert} fires`,
      interval: '1m',
      input_series: firing,
      alert_rule_test: [{ eval_time: EVAL_TIME, alertname: alert, exp_alerts: firingAlerts }],
    });
  };

  // Error rate: a share of 5xx well above / well below the threshold, out of 10,000 requests a minute.
  const total = 10_000;
  const requests = (errorShare: number): InputSeries[] => {
    const errors = Math.round(total * errorShare);
    return [
      {
        series: seriesName('cairn_model_requests_total', { ...base, status: '200' }),
        values: rising(total - errors),
      },
      {
        series: seriesName('cairn_model_requests_total', { ...base, status: '500' }),
        values: rising(errors),
      },
    ];
  };
  const badShare = Math.min(t.error_rate * 5, (1 + t.error_rate) / 2);
  pair(ALERTS.errorRate, requests(t.error_rate / 4), requests(badShare), [
    expected(ALERTS.errorRate, { model: name }),
  ]);
  tests.push({
    name: `${RECORDS.errorRatio} is the share of non-2xx requests`,
    interval: '1m',
    input_series: requests(badShare),
    // Rounded as Prometheus' round(v, 0.0001) does, because rate arithmetic may be one ulp off the exact ratio.
    promql_expr_test: [
      {
        expr: `round(${RECORDS.errorRatio}{model=${JSON.stringify(name)}}, 0.0001)`,
        eval_time: '10m',
        exp_samples: [
          {
            labels: `{model=${JSON.stringify(name)}}`,
            value: roundLikePrometheus(Math.round(total * badShare) / total, 0.0001),
          },
        ],
      },
    ],
  });

  // Latency: every request in the lowest bucket (healthy) or between 2x and 4x the SLO (slow).
  const slo = t.latency_p99_ms / 1000;
  const bounds = [slo / 4, slo, slo * 2, slo * 4];
  const latency = (bucketOfAll: number): InputSeries[] => [
    ...bounds.map((le, i) => ({
      series: seriesName('cairn_model_request_duration_seconds_bucket', { ...base, le: String(le) }),
      values: rising(i >= bucketOfAll ? 100 : 0),
    })),
    {
      series: seriesName('cairn_model_request_duration_seconds_bucket', { ...base, le: '+Inf' }),
      values: rising(100),
    },
  ];
  pair(ALERTS.latency, latency(0), latency(3), [expected(ALERTS.latency, { model: name })]);

  // Drift: one feature far above the threshold, the other well below; healthy: both below.
  const [first = 'feature_a', second = 'feature_b'] =
    model.features.length >= 2 ? model.features : [model.features[0] ?? 'feature_a', 'feature_b'];
  const drift = (a: number, b: number): InputSeries[] => [
    {
      series: seriesName('cairn_model_feature_drift_score', { model: name, feature: first }),
      values: constant(a),
    },
    {
      series: seriesName('cairn_model_feature_drift_score', { model: name, feature: second }),
      values: constant(b),
    },
  ];
  const low = t.drift_threshold / 4;
  pair(ALERTS.drift, drift(low, low), drift(t.drift_threshold * 2, low), [
    expected(ALERTS.drift, { model: name, feature: first }),
  ]);

  // Prediction shift: training shares uniform; live traffic either uniform or skewed towards the first class.
  const classes = (model.labels && model.labels.length >= 2 ? model.labels : ['a', 'b']).map(String);
  const k = classes.length;
  const perMinute = 1000;
  const predictions = (firstShare: number) => {
    const counts = classes.map((_, i) =>
      Math.round(perMinute * (i === 0 ? firstShare : (1 - firstShare) / (k - 1))),
    );
    const sum = counts.reduce((a, b) => a + b, 0);
    const series: InputSeries[] = classes.flatMap((cls, i) => [
      {
        series: seriesName('cairn_model_predictions_total', { ...base, class: cls }),
        values: rising(counts[i] as number),
      },
      {
        series: seriesName('cairn_model_training_class_share', { ...base, class: cls }),
        values: constant(1 / k),
      },
    ]);
    const shifted = classes.filter(
      (_, i) => Math.abs((counts[i] as number) / sum - 1 / k) > t.prediction_shift,
    );
    return { series, shifted };
  };
  const skewed = predictions(Math.min(1, 1 / k + 2.5 * t.prediction_shift));
  pair(
    ALERTS.predictionShift,
    predictions(1 / k).series,
    skewed.series,
    skewed.shifted.map((cls) => expected(ALERTS.predictionShift, { model: name, class: cls })),
  );

  // Staleness: at the evaluation time the model is half the limit old (healthy) or twice it (stale).
  const limit = t.staleness_days * 86400;
  const trainedAt = (age: number) => [
    {
      series: seriesName('cairn_model_last_trained_timestamp_seconds', base),
      values: constant(EVAL_SECONDS - age),
    },
  ];
  pair(ALERTS.staleness, trainedAt(limit / 2), trainedAt(limit * 2), [
    expected(ALERTS.staleness, { model: name }),
  ]);

  return { rule_files: [options.ruleFile ?? 'rules.yml'], evaluation_interval: '1m', tests };
}
