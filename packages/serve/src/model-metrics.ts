import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CounterFamily, HistogramFamily, type CounterSeries, type HistogramSeries } from './fast-metrics';
import { FeatureHistograms } from './feature-histograms';
import type { ModelManifest, Prediction, Row } from './manifest';

/** Request latency buckets (seconds); 0.25 s matches the default p99 SLO of model.json. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Statuses whose request counters exist from the start, so rates and ratios see a zero before the first event. */
const KNOWN_STATUSES = ['200', '400', '413', '500'];

export interface ModelMetricsOptions {
  manifest: ModelManifest;
  modelName: string;
  version: string;
  trainingMetrics?: Record<string, number>;
  lastTrainedSeconds?: number;
  trainingClassShares?: Record<string, number>;
  reference?: Record<string, number[]>;
  featureBuckets?: Record<string, number[]>;
  driftWindow?: number;
  driftMinSamples?: number;
  defaultMetrics?: boolean;
}

/**
 * The series a model server exports; docs/monitoring.md lists them and
 * @cairn/monitoring's dashboards and rules query exactly these names.
 */
export class ModelMetrics {
  readonly registry = new Registry();
  private readonly requestsByStatus = new Map<string, CounterSeries>();
  private readonly requests = new CounterFamily(
    'cairn_model_requests_total',
    'Prediction requests by HTTP status',
  );
  private readonly duration: HistogramSeries;
  private readonly predictions = new CounterFamily(
    'cairn_model_predictions_total',
    'Predictions returned, by predicted class (classification models)',
  );
  private readonly predictionsByClass = new Map<string, CounterSeries>();
  private readonly features: FeatureHistograms;
  private readonly numericFeatures: string[];
  private readonly classification: boolean;

  constructor(private readonly options: ModelMetricsOptions) {
    const { modelName: model, version, manifest } = options;
    const registers = [this.registry];
    this.classification = manifest.task !== 'regression';
    this.numericFeatures = manifest.features.filter((f) => f.type === 'number').map((f) => f.name);

    // Hot-path series: resolved once, then plain additions (see fast-metrics.ts).
    this.registry.registerMetric(this.requests as never);
    for (const status of KNOWN_STATUSES) this.requestCounter(status);
    const duration = new HistogramFamily(
      'cairn_model_request_duration_seconds',
      'Prediction request latency in seconds, from request start to response end',
      LATENCY_BUCKETS,
    );
    this.registry.registerMetric(duration as never);
    this.duration = duration.withLabels({ model, version });
    this.registry.registerMetric(this.predictions as never);
    for (const label of manifest.labels ?? []) this.classCounter(String(label));

    this.features = new FeatureHistograms({
      name: 'cairn_model_feature_value',
      help: 'Values of numeric input features, for drift monitoring',
      model,
      features: this.numericFeatures,
      reference: options.reference,
      buckets: options.featureBuckets,
      driftWindow: options.driftWindow,
      driftMinSamples: options.driftMinSamples,
    });
    this.registry.registerMetric(this.features as never);

    new Gauge({
      name: 'cairn_model_info',
      help: 'The model version in service (always 1)',
      labelNames: ['model', 'version'],
      registers,
    })
      .labels(model, version)
      .set(1);

    const trainingMetric = new Gauge({
      name: 'cairn_model_training_metric',
      help: 'Evaluation metrics of the version in service, recorded at training time',
      labelNames: ['model', 'version', 'metric'],
      registers,
    });
    for (const [metric, value] of Object.entries(options.trainingMetrics ?? {})) {
      if (Number.isFinite(value)) trainingMetric.labels(model, version, metric).set(value);
    }

    if (options.lastTrainedSeconds !== undefined) {
      new Gauge({
        name: 'cairn_model_last_trained_timestamp_seconds',
        help: 'Unix time the version in service was trained',
        labelNames: ['model', 'version'],
        registers,
      })
        .labels(model, version)
        .set(options.lastTrainedSeconds);
    }

    if (options.trainingClassShares) {
      const share = new Gauge({
        name: 'cairn_model_training_class_share',
        help: 'Share of each class in the training data (the prediction-shift baseline)',
        labelNames: ['model', 'version', 'class'],
        registers,
      });
      for (const [label, value] of Object.entries(options.trainingClassShares))
        share.labels(model, version, label).set(value);
    }

    if (options.reference) {
      const features = this.features;
      new Gauge({
        name: 'cairn_model_feature_drift_score',
        help: 'Population stability index of recent feature values against the training reference (deciles)',
        labelNames: ['model', 'feature'],
        registers,
        collect() {
          for (const [feature, score] of features.driftScores()) this.labels(model, feature).set(score);
        },
      });
    }

    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Series exist (at 0) from their creation, so rates see a zero before the first event. */
  private requestCounter(status: string): CounterSeries {
    let counter = this.requestsByStatus.get(status);
    if (!counter) {
      counter = this.requests.withLabels({
        model: this.options.modelName,
        version: this.options.version,
        status,
      });
      this.requestsByStatus.set(status, counter);
    }
    return counter;
  }

  private classCounter(label: string): CounterSeries {
    let counter = this.predictionsByClass.get(label);
    if (!counter) {
      counter = this.predictions.withLabels({
        model: this.options.modelName,
        version: this.options.version,
        class: label,
      });
      this.predictionsByClass.set(label, counter);
    }
    return counter;
  }

  observeRequest(status: number, seconds: number): void {
    this.requestCounter(String(status)).inc();
    this.duration.observe(seconds);
  }

  observeInputs(rows: Row[]): void {
    for (const feature of this.numericFeatures) {
      for (const row of rows) this.features.observe(feature, row[feature] as number);
    }
  }

  observePredictions(predictions: Prediction[]): void {
    if (!this.classification) return;
    for (const prediction of predictions) this.classCounter(String(prediction.label)).inc();
  }

  /** Drift scores as the `/metrics` gauge would report them now. */
  driftScores(): Map<string, number> {
    return this.features.driftScores();
  }
}
