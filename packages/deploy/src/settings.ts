import { createHash } from 'node:crypto';
import { cairnError } from '@cairn/errors';

/** model.json's `deploy` block (packages/pipeline/schemas/model.schema.json, DeploySpec), already schema-checked. */
export interface DeploySpec {
  image?: string;
  namespace?: string;
  port?: number;
  strategy?: 'rollout' | 'deployment';
  replicas?: { min?: number; max?: number };
  targetCpuUtilization?: number;
  minAvailable?: number;
  resources?: { cpu?: string; memory?: string; cpuLimit?: string; memoryLimit?: string };
  canary?: { weights?: number[]; pause?: string; interval?: string; window?: string; failureLimit?: number };
  prometheus?: string;
}

/** The settings in effect: every default filled in, cross-field rules checked. */
export interface DeploySettings {
  image: string;
  namespace?: string;
  port: number;
  strategy: 'rollout' | 'deployment';
  replicas: { min: number; max: number };
  targetCpuUtilization: number;
  minAvailable: number;
  resources: { cpu: string; memory: string; cpuLimit?: string; memoryLimit: string };
  canary: { weights: number[]; pause: string; interval: string; window: string; failureLimit: number };
  prometheus: string;
}

export const DEFAULT_PROMETHEUS = 'http://prometheus-operated.monitoring.svc:9090';
export const DEFAULT_CANARY_WEIGHTS = [10, 25, 50];

/**
 * `spec` over the defaults. The schema bounds each field; what it cannot say
 * (min ≤ max, weights rising, the disruption budget below the replicas) is
 * checked here and named by its JSON pointer in `file`.
 */
export function resolveDeploySettings(
  project: string,
  version: string,
  spec: DeploySpec = {},
  file = 'model.json',
): DeploySettings {
  const invalid = (pointer: string, message: string, hint: string) =>
    cairnError('DEPLOY_CONFIG_INVALID', `${file}: ${pointer} ${message}`, {
      data: { file, pointer },
      hint,
    });
  const min = spec.replicas?.min ?? 2;
  const max = spec.replicas?.max ?? Math.max(6, min);
  if (min > max)
    throw invalid('/deploy/replicas', `has min ${min} above max ${max}`, 'set replicas.min ≤ replicas.max');
  const minAvailable = spec.minAvailable ?? 1;
  if (minAvailable >= min)
    throw invalid(
      '/deploy/minAvailable',
      `is ${minAvailable}, not below replicas.min ${min}: no pod could ever be evicted`,
      'set minAvailable below replicas.min',
    );
  const weights = spec.canary?.weights ?? DEFAULT_CANARY_WEIGHTS;
  weights.forEach((weight, index) => {
    if (index > 0 && weight <= weights[index - 1]!)
      throw invalid(
        `/deploy/canary/weights/${index}`,
        `is ${weight}, not above the step before (${weights[index - 1]})`,
        'list canary weights in rising order, each between 1 and 99',
      );
  });
  const memory = spec.resources?.memory ?? '256Mi';
  return {
    image: (spec.image ?? `cairn/${kubernetesName(project)}:{version}`).replaceAll('{version}', version),
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    port: spec.port ?? 8080,
    strategy: spec.strategy ?? 'rollout',
    replicas: { min, max },
    targetCpuUtilization: spec.targetCpuUtilization ?? 70,
    minAvailable,
    resources: {
      cpu: spec.resources?.cpu ?? '250m',
      memory,
      ...(spec.resources?.cpuLimit ? { cpuLimit: spec.resources.cpuLimit } : {}),
      memoryLimit: spec.resources?.memoryLimit ?? memory,
    },
    canary: {
      weights,
      pause: spec.canary?.pause ?? '5m',
      interval: spec.canary?.interval ?? '1m',
      window: spec.canary?.window ?? '5m',
      failureLimit: spec.canary?.failureLimit ?? 1,
    },
    prometheus: spec.prometheus ?? DEFAULT_PROMETHEUS,
  };
}

/**
 * A Kubernetes object name (an RFC 1035 label: lowercase letters, digits and
 * '-', starting with a letter) for a project name, leaving room for a
 * `-canary` suffix. Lossy or long names get a hash of the exact name, so two
 * projects never share objects.
 */
export function kubernetesName(project: string): string {
  const slug = project
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  if (slug === project && slug.length <= 48) return slug;
  const hash = createHash('sha256').update(project).digest('hex').slice(0, 8);
  return `${(slug || 'model').slice(0, 39).replace(/-+$/, '')}-${hash}`;
}
