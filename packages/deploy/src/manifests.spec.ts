import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isCairnError } from '@cairn/errors';
import type { IAnalysisTemplate, IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ALERTS, buildPrometheusRules, canaryChecks, type MonitoredModel } from '@cairn/monitoring';
import { seededRandom } from '../../../tools/test-support/src/index';
import {
  buildManifests,
  DEPLOY_FILES,
  kubernetesName,
  resolveDeploySettings,
  toTerraform,
  writeDeployBundle,
  type KubernetesObject,
} from './index';

const IRIS: MonitoredModel = {
  project: 'iris',
  labels: ['setosa', 'versicolor', 'virginica'],
  features: ['sepal_length'],
  thresholds: { error_rate: 0.02, latency_p99_ms: 120, prediction_shift: 0.2 },
};

const scratch = mkdtempSync(join(tmpdir(), 'cairn-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function manifests(spec: Parameters<typeof resolveDeploySettings>[2] = {}, model = IRIS) {
  return buildManifests({
    model,
    version: 'abc123',
    settings: resolveDeploySettings(model.project, 'abc123', spec),
  });
}

function json<T = Record<string, unknown>>(object: KubernetesObject): T {
  return JSON.parse(JSON.stringify(object.toJSON())) as T;
}

function byKind<T>(objects: KubernetesObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind).map((o) => json<T>(o));
}

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error)
    throw new Error(
      `promtool is missing (${result.error.message}): install it with \`apt-get install -y prometheus\``,
    );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('buildManifests', () => {
  it.each(['rollout', 'deployment'] as const)(
    '%s: every object passes its Kubernetes/Argo schema',
    (strategy) => {
      const objects = manifests({ strategy });
      for (const object of objects) expect(() => object.validate()).not.toThrow();
      const kinds = objects.map((o) => o.kind).sort();
      expect(kinds).toEqual(
        strategy === 'rollout'
          ? [
              'AnalysisTemplate',
              'HorizontalPodAutoscaler',
              'PodDisruptionBudget',
              'Rollout',
              'Service',
              'Service',
            ]
          : ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service'],
      );
      const hpa = byKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler')[0]!;
      const workload = objects.find((o) => o.kind === 'Rollout' || o.kind === 'Deployment')!;
      expect(hpa.spec!.scaleTargetRef).toEqual({
        apiVersion: workload.apiVersion,
        kind: workload.kind,
        name: workload.metadata!.name,
      });
    },
  );

  it('the schema check is not vacuous: a broken object fails validate()', () => {
    const rollout = manifests().find((o) => o.kind === 'Rollout')!;
    (
      (rollout as unknown as IRollout).spec!.strategy!.canary!.steps![0] as Record<string, unknown>
    ).setWeight = 'ten';
    expect(() => rollout.validate()).toThrow(/setWeight/);
    const template = manifests().find((o) => o.kind === 'AnalysisTemplate')!;
    delete ((template as unknown as IAnalysisTemplate).spec.metrics[0] as Partial<{ name: string }>).name;
    expect(() => template.validate()).toThrow(/name/);
  });

  it('probes, resources and replicas come from the deploy block', () => {
    const objects = manifests({
      port: 9000,
      replicas: { min: 3, max: 9 },
      minAvailable: 2,
      resources: { cpu: '500m', memory: '1Gi', cpuLimit: '2' },
      image: 'registry.example/iris:{version}',
      namespace: 'ml',
    });
    const pod = byKind<IRollout>(objects, 'Rollout')[0]!.spec!.template!.spec!;
    const container = pod.containers[0]!;
    expect(container.image).toBe('registry.example/iris:abc123');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9000 }]);
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    const hpa = byKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler')[0]!;
    expect([hpa.spec!.minReplicas, hpa.spec!.maxReplicas]).toEqual([3, 9]);
    expect(byKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget')[0]!.spec!.minAvailable).toBe(2);
    for (const object of objects) expect(object.metadata!.namespace).toBe('ml');
  });

  it('the AnalysisTemplate runs the canary checks of @cairn/monitoring with the alert rules’ thresholds', () => {
    const objects = manifests({ canary: { weights: [5, 50], pause: '2m', window: '3m', failureLimit: 2 } });
    const template = byKind<IAnalysisTemplate>(objects, 'AnalysisTemplate')[0]!;
    const checks = canaryChecks(IRIS, undefined, { window: '3m' });
    expect(template.spec.metrics.map((m) => m.provider.prometheus?.query)).toEqual(
      checks.map((c) => c.query),
    );
    expect(template.spec.metrics.map((m) => m.successCondition)).toEqual([
      'result[0] <= 0.02',
      'result[0] <= 0.12',
      'result[0] <= 0.2',
    ]);
    // The alert rules of the same model fire above the same bounds.
    const alerts = buildPrometheusRules(IRIS).groups[0]!.rules as Array<{ alert?: string; expr: string }>;
    expect(alerts.find((r) => r.alert === ALERTS.errorRate)!.expr).toMatch(/> 0\.02$/);
    expect(alerts.find((r) => r.alert === ALERTS.latency)!.expr).toMatch(/> 0\.12$/);
    const canary = byKind<IRollout>(objects, 'Rollout')[0]!.spec!.strategy!.canary!;
    expect(canary.steps).toEqual([
      { setWeight: 5 },
      { pause: { duration: '2m' } },
      { setWeight: 50 },
      { pause: { duration: '2m' } },
    ]);
    expect(canary.analysis!.args).toEqual([{ name: 'canary-version', value: 'abc123' }]);
    expect(template.spec.args).toEqual([{ name: 'canary-version' }]);
  });

  it('promtool parses every AnalysisTemplate query (argument substituted)', () => {
    const template = byKind<IAnalysisTemplate>(manifests(), 'AnalysisTemplate')[0]!;
    const rules = {
      groups: [
        {
          name: 'analysis',
          rules: template.spec.metrics.map((m, i) => ({
            record: `cairn:analysis_${i}`,
            expr: m.provider.prometheus!.query!.replaceAll('{{args.canary-version}}', 'abc123'),
          })),
        },
      ],
    };
    const file = join(scratch, 'analysis-rules.yml');
    writeFileSync(file, JSON.stringify(rules));
    const check = promtool(['check', 'rules', file]);
    expect(check.output).toContain('SUCCESS: 3 rules found');
    expect(check.status).toBe(0);
  });

  it('contradictory settings are refused with the JSON pointer', () => {
    const cases: Array<[Parameters<typeof resolveDeploySettings>[2], string]> = [
      [{ replicas: { min: 5, max: 2 } }, '/deploy/replicas'],
      [{ replicas: { min: 2 }, minAvailable: 2 }, '/deploy/minAvailable'],
      [{ canary: { weights: [10, 10] } }, '/deploy/canary/weights/1'],
    ];
    for (const [spec, pointer] of cases) {
      try {
        resolveDeploySettings('iris', 'v', spec, 'models/iris/model.json');
        expect.unreachable(pointer);
      } catch (error) {
        expect(isCairnError(error, 'DEPLOY_CONFIG_INVALID')).toBe(true);
        expect((error as { data: unknown }).data).toEqual({ file: 'models/iris/model.json', pointer });
      }
    }
  });
});

describe('kubernetesName', () => {
  it('maps any project name to a distinct RFC 1035 label with room for -canary (seeded)', () => {
    const random = seededRandom(Number(process.env.CAIRN_TEST_SEED ?? 1414));
    const alphabet = 'aZ09._-Q';
    const names = new Set<string>(['iris', 'Iris', 'iris_', '9lives', 'x'.repeat(200)]);
    while (names.size < 300) {
      const length = 1 + Math.floor(random() * 70);
      let name = 'abcXYZ0'[Math.floor(random() * 7)]!;
      for (let i = 1; i < length; i++) name += alphabet[Math.floor(random() * alphabet.length)];
      names.add(name);
    }
    const seen = new Map<string, string>();
    for (const name of names) {
      const k8s = kubernetesName(name);
      expect(k8s).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      expect(`${k8s}-canary`.length).toBeLessThanOrEqual(63);
      expect(seen.get(k8s), `${name} and ${seen.get(k8s)} share ${k8s}`).toBeUndefined();
      seen.set(k8s, name);
    }
    expect(kubernetesName('iris')).toBe('iris');
  });
});

describe('rendering', () => {
  it('kubernetes.yaml and main.tf.json hold the same objects', async () => {
    const objects = manifests();
    const out = join(scratch, 'bundle');
    const { files } = await writeDeployBundle(out, objects, { terraform: true });
    expect(files).toEqual([join(out, DEPLOY_FILES.kubernetes), join(out, DEPLOY_FILES.terraform)]);
    const documents = parseAllDocuments(readFileSync(files[0]!, 'utf8')).map((d) => d.toJS());
    expect(documents).toEqual(objects.map(json));
    const terraform = JSON.parse(readFileSync(files[1]!, 'utf8')) as ReturnType<typeof toTerraform>;
    expect(terraform).toEqual(JSON.parse(JSON.stringify(toTerraform(objects))));
    const resources = terraform.resource.kubernetes_manifest;
    expect(Object.keys(resources)).toHaveLength(objects.length);
    for (const key of Object.keys(resources)) expect(key).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(Object.values(resources).map((r) => r.manifest)).toEqual(documents);
  });
});
