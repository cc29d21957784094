import { createHash } from 'node:crypto';
import type { MonitoringConfig } from './generated/monitoring-config';

export type { MonitoringConfig };

/**
 * The thresholds in effect: every key of model.json's `monitoring` block
 * (docs/model-contract.md; its type is generated from the model schema, which
 * holds the bounds), the absent ones taken from DEFAULT_THRESHOLDS.
 */
export type MonitoringThresholds = Required<MonitoringConfig>;

export const DEFAULT_THRESHOLDS: Readonly<MonitoringThresholds> = Object.freeze({
  latency_p99_ms: 250,
  error_rate: 0.01,
  drift_threshold: 0.1,
  staleness_days: 30,
  prediction_shift: 0.15,
  accuracy_drop: 0.05,
});

/**
 * The thresholds in effect: `given` (model.json's `monitoring` block, already
 * checked against the model schema when the config was read: the bounds live
 * there only) over DEFAULT_THRESHOLDS.
 */
export function resolveThresholds(given: MonitoringConfig = {}): MonitoringThresholds {
  const resolved: MonitoringThresholds = { ...DEFAULT_THRESHOLDS };
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as Array<keyof MonitoringThresholds>) {
    const value = given[key];
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}

/** What the generators need to know about one model. */
export interface MonitoredModel {
  /** Nx project name: the dashboard uid and titles derive from it. */
  project: string;
  /** Value of the `model` label the server exports (`cairn serve --name`); default: the project name. */
  name?: string;
  /** Class labels (classification), used for synthetic series in rule tests. */
  labels?: Array<string | number>;
  /** Numeric features: one value-distribution panel each. */
  features: string[];
  /** model.json `monitoring`; missing keys take DEFAULT_THRESHOLDS. */
  thresholds?: MonitoringConfig;
}

export function modelLabel(model: Pick<MonitoredModel, 'project' | 'name'>): string {
  return model.name ?? model.project;
}

/** A Grafana uid (≤ 40 chars of [a-zA-Z0-9-_]) that depends only on the project name. */
export function dashboardUid(project: string): string {
  const slug = project
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const uid = `cairn-${slug}`;
  if (uid.length <= 40 && slug === project) return uid;
  // Lossy slugs (case, symbols) or long names: add a hash of the exact name so two projects never share a uid.
  const hash = createHash('sha256').update(project).digest('hex').slice(0, 8);
  return `cairn-${slug.slice(0, 24)}-${hash}`;
}

/** Escapes a label value for a PromQL string literal. */
export function promString(value: string): string {
  return JSON.stringify(value);
}

export function thresholdsOf(model: MonitoredModel, override?: MonitoringConfig): MonitoringThresholds {
  return resolveThresholds({ ...model.thresholds, ...override });
}

/**
 * The MonitoredModel of a project from its parsed model.json (thresholds from
 * `monitoring`, checked) and, when known, its artifact manifest (numeric
 * features, class labels). What the `monitor` target and `cairn monitor` feed
 * to the generators.
 */
export function monitoredModelFromConfig(
  project: string,
  config: { monitoring?: MonitoringConfig } | undefined,
  options: {
    name?: string;
    manifest?: { features: Array<{ name: string; type: string }>; labels?: Array<string | number> };
  } = {},
): MonitoredModel {
  return {
    project,
    ...(options.name ? { name: options.name } : {}),
    ...(options.manifest?.labels ? { labels: options.manifest.labels } : {}),
    features: options.manifest
      ? options.manifest.features.filter((f) => f.type === 'number').map((f) => f.name)
      : [],
    thresholds: resolveThresholds(config?.monitoring),
  };
}
