import { join } from 'node:path';
import { ensureArtifact } from './artifact';
import { resolveTrainable } from './trainable';
import { discoverProjects, outputPaths } from './workspace';

export interface DeployProjectOptions {
  workspaceRoot: string;
  project: string;
  /** Also write `main.tf.json` (Terraform's kubernetes_manifest resources). */
  terraform?: boolean;
}

export interface DeployResult {
  project: string;
  version: string;
  files: string[];
}

/**
 * The `deploy` target: Kubernetes objects (and an Argo Rollouts canary whose
 * analysis checks the `monitoring` thresholds) for the trained version of a
 * model, from its model.json `deploy` block; written under its outputs.
 */
export async function deployProject(options: DeployProjectOptions): Promise<DeployResult> {
  const { workspaceRoot } = options;
  const [{ buildManifests, resolveDeploySettings, writeDeployBundle }, { monitoredModelFromConfig }] =
    await Promise.all([import('@cairn/deploy'), import('@cairn/monitoring')]);
  const trainable = resolveTrainable(await discoverProjects(workspaceRoot), options.project);
  const artifact = await ensureArtifact(workspaceRoot, trainable);
  const { readModelManifest } = await import('@cairn/serve');
  // The same version label `cairn task serve` exports, so the analysis selects this version's series.
  const version = artifact.hash.slice(0, 12);
  const model = monitoredModelFromConfig(trainable.name, trainable.config, {
    manifest: await readModelManifest(artifact.dir),
  });
  const settings = resolveDeploySettings(
    trainable.name,
    version,
    trainable.config.deploy,
    trainable.configFile,
  );
  const out = join(workspaceRoot, outputPaths(trainable.root).deployDir);
  const { files } = await writeDeployBundle(out, buildManifests({ model, version, settings }), {
    terraform: options.terraform,
  });
  return { project: trainable.name, version, files };
}
