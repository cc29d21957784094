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

export interface ModelMetricsOptions extends LaneMetricsOptions {
  manifest: ModelManifest;
  modelName: string;
  reference?: Record<string, number[]>;
  featureBuckets?: Record<string, number[]>;
  driftWindow?: number;
  driftMinSamples?: number;
  defaultMetrics?: boolean;
}

/** What one served version (a lane) exports beside its request series. */
export interface LaneMetricsOptions {
  version: string;
  /** Registry alias the lane serves (`champion`, `challenger`…); a label of every lane series when set. */
  alias?: string;
  trainingMetrics?: Record<string, number>;
  lastTrainedSeconds?: number;
  trainingClassShares?: Record<string, number>;
  /** Labelled predictions the live accuracy looks back on (default 500). */
  accuracyWindow?: number;
}

/** Cumulative counts of one lane (see LaneMetrics.snapshot); latency counts per LATENCY_BUCKETS bucket, +Inf last. */
export interface LaneSnapshot {
  requests: number;
  errors: number;
  latencyCounts: number[];
  classCounts: Record<string, number>;
  correct: number;
  labelled: number;
}

/** Request, prediction and feedback series of one served version; all share the server's families. */
export class LaneMetrics {
  /** `model`, `version` and (when set) `alias`: the labels of every series of the lane. */
  readonly labels: Record<string, string>;
  private readonly requestsByStatus = new Map<string, CounterSeries>();
  private readonly predictionsByClass = new Map<string, CounterSeries>();
  private readonly duration: HistogramSeries;
  private readonly outcomes: boolean[] = [];
  private outcomeAt = 0;
  private correctInWindow = 0;
  private readonly accuracyWindow: number;

  /** @internal Made by `ModelMetrics.lane()`. */
  constructor(
    private readonly server: ModelMetrics,
    readonly options: LaneMetricsOptions,
  ) {
    this.labels = {
      model: server.modelName,
      version: options.version,
      ...(options.alias ? { alias: options.alias } : {}),
    };
    this.accuracyWindow = options.accuracyWindow ?? 500;
    for (const status of KNOWN_STATUSES) this.requestCounter(status);
    this.duration = server.families.duration.withLabels(this.labels);
    for (const label of server.manifest.labels ?? []) this.classCounter(String(label));
    for (const outcome of ['correct', 'incorrect'])
      server.families.feedback.withLabels({ ...this.labels, outcome });
  }

  private requestCounter(status: string): CounterSeries {
    let counter = this.requestsByStatus.get(status);
    if (!counter) {
      counter = this.server.families.requests.withLabels({ ...this.labels, status });
      this.requestsByStatus.set(status, counter);
    }
    return counter;
  }

  private classCounter(label: string): CounterSeries {
    let counter = this.predictionsByClass.get(label);
    if (!counter) {
      counter = this.server.families.predictions.withLabels({ ...this.labels, class: label });
      this.predictionsByClass.set(label, counter);
    }
    return counter;
  }

  observeRequest(status: number, seconds: number): void {
    this.requestCounter(String(status)).inc();
    this.duration.observe(seconds);
  }

  observePredictions(predictions: Prediction[]): void {
    if (!this.server.classification) return;
    for (const prediction of predictions) this.classCounter(String(prediction.label)).inc();
  }

  /** A delayed label arrived for one of this lane's predictions. */
  observeFeedback(correct: boolean): void {
    this.server.families.feedback
      .withLabels({ ...this.labels, outcome: correct ? 'correct' : 'incorrect' })
      .inc();
    if (this.outcomes.length < this.accuracyWindow) {
      this.outcomes.push(correct);
    } else {
      if (this.outcomes[this.outcomeAt]) this.correctInWindow -= 1;
      this.outcomes[this.outcomeAt] = correct;
      this.outcomeAt = (this.outcomeAt + 1) % this.accuracyWindow;
    }
    if (correct) this.correctInWindow += 1;
  }

  /** Cumulative counts since the lane started: two snapshots bound an analysis window. */
  snapshot(): LaneSnapshot {
    let requests = 0;
    let errors = 0;
    for (const [status, counter] of this.requestsByStatus) {
      requests += counter.value;
      if (!status.startsWith('2')) errors += counter.value;
    }
    const feedback = this.server.families.feedback;
    return {
      requests,
      errors,
      latencyCounts: [...this.duration.counts],
      classCounts: Object.fromEntries([...this.predictionsByClass].map(([label, c]) => [label, c.value])),
      correct: feedback.withLabels({ ...this.labels, outcome: 'correct' }).value,
      labelled:
        feedback.withLabels({ ...this.labels, outcome: 'correct' }).value +
        feedback.withLabels({ ...this.labels, outcome: 'incorrect' }).value,
    };
  }

  /** Share of correct predictions among the last `accuracyWindow` labelled ones, and how many that is. */
  liveAccuracy(): { accuracy: number; labelled: number } {
    const labelled = this.outcomes.length;
    return { accuracy: labelled === 0 ? Number.NaN : this.correctInWindow / labelled, labelled };
  }
}

/**
 * The series a model server exports; docs/monitoring.md lists them and
 * @cairn/monitoring's dashboards and rules query exactly these names. One
 * registry per server; each served version is a lane (`lane()`) whose series
 * carry its `version` (and `alias`) label.
 */
export class ModelMetrics {
  readonly registry = new Registry();
  readonly modelName: string;
  readonly manifest: ModelManifest;
  readonly classification: boolean;
  readonly families = {
    requests: new CounterFamily('cairn_model_requests_total', 'Prediction requests by HTTP status'),
    duration: new HistogramFamily(
      'cairn_model_request_duration_seconds',
      'Prediction request latency in seconds, from request start to response end',
      LATENCY_BUCKETS,
    ),
    predictions: new CounterFamily(
      'cairn_model_predictions_total',
      'Predictions returned, by predicted class (classification models)',
    ),
    feedback: new CounterFamily(
      'cairn_model_feedback_total',
      'Delayed labels received on POST /feedback, by whether the prediction was correct',
    ),
  };
  private readonly lanes = new Set<LaneMetrics>();
  private readonly gauges: {
    info: Gauge;
    trainingMetric: Gauge;
    lastTrained: Gauge;
    classShare: Gauge;
  };
  private readonly features: FeatureHistograms;
  private readonly numericFeatures: string[];
  private readonly defaultLane: LaneMetrics;

  constructor(options: ModelMetricsOptions) {
    const { modelName: model, manifest } = options;
    this.modelName = model;
    this.manifest = manifest;
    const registers = [this.registry];
    this.classification = manifest.task !== 'regression';
    this.numericFeatures = manifest.features.filter((f) => f.type === 'number').map((f) => f.name);

    // Hot-path series: resolved once, then plain additions (see fast-metrics.ts).
    for (const family of Object.values(this.families)) this.registry.registerMetric(family as never);

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

    const labelNames = (...extra: string[]) => ['model', 'version', 'alias', ...extra];
    this.gauges = {
      info: new Gauge({
        name: 'cairn_model_info',
        help: 'The model versions in service (1 while served)',
        labelNames: labelNames(),
        registers,
      }),
      trainingMetric: new Gauge({
        name: 'cairn_model_training_metric',
        help: 'Evaluation metrics of the versions in service, recorded at training time',
        labelNames: labelNames('metric'),
        registers,
      }),
      lastTrained: new Gauge({
        name: 'cairn_model_last_trained_timestamp_seconds',
        help: 'Unix time the version in service was trained',
        labelNames: labelNames(),
        registers,
      }),
      classShare: new Gauge({
        name: 'cairn_model_training_class_share',
        help: 'Share of each class in the training data (the prediction-shift baseline)',
        labelNames: labelNames('class'),
        registers,
      }),
    };
    const lanes = this.lanes;
    new Gauge({
      name: 'cairn_model_live_accuracy',
      help: 'Share of correct predictions among the last labelled ones (POST /feedback), per served version',
      labelNames: labelNames(),
      registers,
      collect() {
        this.reset();
        for (const lane of lanes) {
          const { accuracy, labelled } = lane.liveAccuracy();
          if (labelled > 0) this.labels(lane.labels).set(accuracy);
        }
      },
    });

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
    this.defaultLane = this.lane(options);
  }

  /** Series (at 0) for one served version; its info and training gauges are set while it serves. */
  lane(options: LaneMetricsOptions): LaneMetrics {
    const lane = new LaneMetrics(this, options);
    this.lanes.add(lane);
    const labels = lane.labels;
    this.gauges.info.labels(labels).set(1);
    for (const [metric, value] of Object.entries(options.trainingMetrics ?? {})) {
      if (Number.isFinite(value)) this.gauges.trainingMetric.labels({ ...labels, metric }).set(value);
    }
    if (options.lastTrainedSeconds !== undefined)
      this.gauges.lastTrained.labels(labels).set(options.lastTrainedSeconds);
    for (const [label, value] of Object.entries(options.trainingClassShares ?? {}))
      this.gauges.classShare.labels({ ...labels, class: label }).set(value);
    return lane;
  }

  /** A lane stops serving: its gauges go; its counters stay, so rates over the swap stay right. */
  retire(lane: LaneMetrics): void {
    if (!this.lanes.delete(lane)) return;
    this.gauges.info.labels(lane.labels).set(0);
    for (const metric of Object.keys(lane.options.trainingMetrics ?? {}))
      this.gauges.trainingMetric.remove({ ...lane.labels, metric });
    if (lane.options.lastTrainedSeconds !== undefined) this.gauges.lastTrained.remove(lane.labels);
    for (const label of Object.keys(lane.options.trainingClassShares ?? {}))
      this.gauges.classShare.remove({ ...lane.labels, class: label });
  }

  observeRequest(status: number, seconds: number): void {
    this.defaultLane.observeRequest(status, seconds);
  }

  observeInputs(rows: Row[]): void {
    for (const feature of this.numericFeatures) {
      for (const row of rows) this.features.observe(feature, row[feature] as number);
    }
  }

  observePredictions(predictions: Prediction[]): void {
    this.defaultLane.observePredictions(predictions);
  }

  /** The lane created with the server (its first version). */
  get firstLane(): LaneMetrics {
    return this.defaultLane;
  }

  /** Drift scores as the `/metrics` gauge would report them now. */
  driftScores(): Map<string, number> {
    return this.features.driftScores();
  }
}
