import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '@cairn/fs-atomic';
import type { KubernetesObject } from './manifests';

export const DEPLOY_FILES = {
  kubernetes: 'kubernetes.yaml',
  terraform: 'main.tf.json',
} as const;

/** The objects as one multi-document YAML stream, in apply order. */
export function toYaml(objects: KubernetesObject[]): string {
  return objects.map((object) => stringify(object.toJSON(), { lineWidth: 0 })).join('---\n');
}

/**
 * The same objects for Terraform's kubernetes provider: one
 * `kubernetes_manifest` resource each (it takes any object, CRDs included),
 * named `<kind>_<name>`.
 */
export function toTerraform(objects: KubernetesObject[]): {
  resource: { kubernetes_manifest: Record<string, { manifest: unknown }> };
} {
  const resources: Record<string, { manifest: unknown }> = {};
  for (const object of objects) {
    const key = `${object.kind}_${object.metadata?.name ?? ''}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    resources[key] = { manifest: object.toJSON() };
  }
  return { resource: { kubernetes_manifest: resources } };
}

/**
 * Writes `kubernetes.yaml` and, with `terraform`, `main.tf.json` into `outDir`
 * (atomically). The files depend only on the inputs: cacheable outputs.
 */
export async function writeDeployBundle(
  outDir: string,
  objects: KubernetesObject[],
  options: { terraform?: boolean } = {},
): Promise<{ files: string[] }> {
  const files: string[] = [];
  const kubernetes = join(outDir, DEPLOY_FILES.kubernetes);
  await writeFileAtomic(kubernetes, toYaml(objects));
  files.push(kubernetes);
  if (options.terraform) {
    const terraform = join(outDir, DEPLOY_FILES.terraform);
    await writeFileAtomic(terraform, `${JSON.stringify(toTerraform(objects), null, 2)}\n`);
    files.push(terraform);
  }
  return { files };
}
