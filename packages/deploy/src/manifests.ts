import { cairnError } from '@cairn/errors';
import { CANARY_VERSION_ARG, canaryChecks, type MonitoredModel } from '@cairn/monitoring';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, type IPodTemplateSpec } from 'kubernetes-models/v1';
import { kubernetesName, type DeploySettings } from './settings';

/** Labels and annotations Cairn puts on what it generates. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  /** The registry alias a pod serves (Argo's canaryMetadata / stableMetadata). */
  alias: 'cairn.dev/alias',
  /** The exact project name (annotation: it may not be a valid label value). */
  model: 'cairn.dev/model',
  version: 'cairn.dev/version',
} as const;

export interface ManifestInput {
  /** What the monitoring rules know of the model: name, labels, thresholds. */
  model: MonitoredModel;
  /** The artifact version being deployed (the `version` label of its metrics). */
  version: string;
  settings: DeploySettings;
}

/** A generated object: what kubernetes-models builds, with its own schema check. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  validate(): void;
  toJSON(): unknown;
}

function podTemplate(input: ManifestInput, labels: Record<string, string>): IPodTemplateSpec {
  const { settings, model, version } = input;
  const probe = { httpGet: { path: '/healthz', port: 'http' } };
  return {
    metadata: {
      labels,
      annotations: {
        [LABELS.model]: model.project,
        [LABELS.version]: version,
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(settings.port),
        'prometheus.io/path': '/metrics',
      },
    },
    spec: {
      securityContext: { runAsNonRoot: true },
      containers: [
        {
          name: 'model',
          image: settings.image,
          ports: [{ name: 'http', containerPort: settings.port }],
          env: [
            { name: 'CAIRN_MODEL', value: model.name ?? model.project },
            { name: 'CAIRN_MODEL_VERSION', value: version },
            { name: 'PORT', value: String(settings.port) },
          ],
          resources: {
            requests: { cpu: settings.resources.cpu, memory: settings.resources.memory },
            limits: {
              memory: settings.resources.memoryLimit,
              ...(settings.resources.cpuLimit ? { cpu: settings.resources.cpuLimit } : {}),
            },
          },
          readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 2 },
          livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
        },
      ],
    },
  };
}

/** The AnalysisTemplate's metrics: the canary checks of @cairn/monitoring, as Argo Rollouts runs them. */
export function analysisTemplate(input: ManifestInput, name: string): AnalysisTemplate {
  const { canary, prometheus } = input.settings;
  const checks = canaryChecks(input.model, undefined, { window: canary.window });
  return new AnalysisTemplate({
    metadata: { name, ...namespaced(input) },
    spec: {
      args: [{ name: CANARY_VERSION_ARG }],
      metrics: checks.map((check) => ({
        name: check.name,
        interval: canary.interval,
        failureLimit: canary.failureLimit,
        // Prometheus answers a vector; one sample per model by construction of the query.
        successCondition: `result[0] <= ${check.max}`,
        provider: { prometheus: { address: prometheus, query: check.query } },
      })),
    },
  });
}

function namespaced(input: ManifestInput): { namespace?: string } {
  return input.settings.namespace ? { namespace: input.settings.namespace } : {};
}

/**
 * Every object that serves one model version: its workload (an Argo Rollouts
 * Rollout with canary steps and background analysis, or a plain Deployment),
 * Service(s), HorizontalPodAutoscaler and PodDisruptionBudget, and for a
 * Rollout the AnalysisTemplate. Each object has passed its schema check
 * (kubernetes-models' validate()).
 */
export function buildManifests(input: ManifestInput): KubernetesObject[] {
  const { settings } = input;
  const name = kubernetesName(input.model.project);
  const selector = { [LABELS.name]: name };
  const labels = { ...selector, [LABELS.managedBy]: 'cairn' };
  const metadata = (objectName: string) => ({ name: objectName, labels, ...namespaced(input) });
  const service = (objectName: string) =>
    new Service({
      metadata: metadata(objectName),
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
  const workloadRef =
    settings.strategy === 'rollout'
      ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }
      : { apiVersion: 'apps/v1', kind: 'Deployment', name };

  const objects: KubernetesObject[] = [];
  if (settings.strategy === 'rollout') {
    const analysis = `${name}-canary`;
    objects.push(
      service(name),
      service(`${name}-canary`),
      analysisTemplate(input, analysis),
      new Rollout({
        metadata: metadata(name),
        spec: {
          replicas: settings.replicas.min,
          selector: { matchLabels: selector },
          template: podTemplate(input, labels),
          strategy: {
            canary: {
              stableService: name,
              canaryService: `${name}-canary`,
              stableMetadata: { labels: { [LABELS.alias]: 'champion' } },
              canaryMetadata: { labels: { [LABELS.alias]: 'challenger' } },
              analysis: {
                templates: [{ templateName: analysis }],
                args: [{ name: CANARY_VERSION_ARG, value: input.version }],
              },
              steps: settings.canary.weights.flatMap((weight) => [
                { setWeight: weight },
                { pause: { duration: settings.canary.pause } },
              ]),
            },
          },
        },
      }),
    );
  } else {
    objects.push(
      service(name),
      new Deployment({
        metadata: metadata(name),
        spec: {
          replicas: settings.replicas.min,
          selector: { matchLabels: selector },
          template: podTemplate(input, labels),
        },
      }),
    );
  }
  objects.push(
    new HorizontalPodAutoscaler({
      metadata: metadata(name),
      spec: {
        scaleTargetRef: workloadRef,
        minReplicas: settings.replicas.min,
        maxReplicas: settings.replicas.max,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: settings.targetCpuUtilization },
            },
          },
        ],
      },
    }),
    new PodDisruptionBudget({
      metadata: metadata(name),
      spec: { minAvailable: settings.minAvailable, selector: { matchLabels: selector } },
    }),
  );
  for (const object of objects) validateObject(object);
  return objects;
}

/** An object Cairn built that breaks its schema is Cairn's bug, reported with the schema's words. */
function validateObject(object: KubernetesObject): void {
  try {
    object.validate();
  } catch (error) {
    throw cairnError(
      'DEPLOY_OBJECT_INVALID',
      `generated ${object.kind} ${object.metadata?.name ?? ''} fails its schema: ${(error as Error).message}`,
      { data: { kind: object.kind, name: object.metadata?.name } },
    );
  }
}
