import { join } from 'node:path';
import { ensureArtifact } from './artifact';
import { resolveTrainable } from './trainable';
import { discoverProjects, outputPaths } from './workspace';

/**
 * Writes the model's monitoring bundle (Grafana dashboard, Prometheus rules
 * and their promtool tests) from its artifact manifest and model.json
 * thresholds, next to its other outputs.
 */
export async function monitor(options: {
  workspaceRoot: string;
  project: string;
}): Promise<{ files: string[] }> {
  const { workspaceRoot } = options;
  const trainable = resolveTrainable(await discoverProjects(workspaceRoot), options.project);
  const artifact = await ensureArtifact(workspaceRoot, trainable);
  const { readModelManifest } = await import('@cairn/serve');
  const { writeMonitoringBundle } = await import('@cairn/monitoring');
  const manifest = await readModelManifest(artifact.dir);
  const outDir = join(workspaceRoot, outputPaths(trainable.root).monitorDir);
  return writeMonitoringBundle(outDir, {
    project: trainable.name,
    ...(manifest.labels ? { labels: manifest.labels } : {}),
    features: manifest.features.filter((feature) => feature.type === 'number').map((feature) => feature.name),
    thresholds: trainable.config.monitoring ?? {},
  });
}
