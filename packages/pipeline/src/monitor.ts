import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { cairnError } from '@cairn/errors';
import type { PublishResult } from '@cairn/monitoring';
import { ensureArtifact } from './artifact';
import { validateMonitoring, type MonitoringConfig } from './config';
import { resolveTrainable } from './trainable';
import { discoverProjects, outputPaths, projectName } from './workspace';

export interface MonitoringOptions {
  /** The model's model.json: thresholds come from its `monitoring` block. */
  modelFile: string;
  /** Folder the dashboard, rules and rule tests are written into. */
  out: string;
  /** Dashboard uid and title; default: the project name of `modelFile`. */
  project?: string;
  /** The `model` label the server exports; default: the project name. */
  name?: string;
  /** Artifact folder whose manifest lists the features and class labels. */
  artifact?: string;
  /** Push the dashboard to Grafana (GRAFANA_URL, GRAFANA_TOKEN from `env`). */
  publish?: boolean;
  /** Grafana folder uid to publish into. */
  folder?: string;
  env?: NodeJS.ProcessEnv;
}

export interface MonitorResult {
  project: string;
  dashboardUid: string;
  files: string[];
  published?: PublishResult;
}

/**
 * The model file is read as a plain JSON object, not schema-validated as a
 * whole: monitoring needs only its `monitoring` block (checked against its
 * sub-schema), so a model.json outside a workspace works too.
 */
async function readModelJson(file: string): Promise<{ name?: string; monitoring?: MonitoringConfig }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw cairnError(
      'MONITOR_MODEL_NOT_FOUND',
      `${file}: cannot read the model config (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { data: { file } },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw cairnError('MONITOR_MODEL_INVALID', `${file}: not valid JSON (${(error as Error).message})`, {
      data: { file, pointer: '/' },
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw cairnError('MONITOR_MODEL_INVALID', `${file}: must hold a JSON object`, {
      data: { file, pointer: '/' },
    });
  }
  const { name, monitoring } = value as { name?: string; monitoring?: unknown };
  return { name, monitoring: validateMonitoring(monitoring, file) };
}

function grafanaFrom(env: NodeJS.ProcessEnv): { url: string; token: string } {
  const url = env.GRAFANA_URL;
  const token = env.GRAFANA_TOKEN;
  if (!url || !token) {
    throw cairnError(
      'GRAFANA_NOT_CONFIGURED',
      `--publish needs GRAFANA_URL and GRAFANA_TOKEN in the environment (missing: ${[!url && 'GRAFANA_URL', !token && 'GRAFANA_TOKEN'].filter(Boolean).join(', ')})`,
      {
        hint: 'Grafana is not bundled with Cairn: point GRAFANA_URL at your instance and use a service-account token',
      },
    );
  }
  return { url, token };
}

/**
 * Generates (and optionally publishes) one model's monitoring bundle from its
 * model.json and, when given, its artifact manifest (features, class labels).
 */
export async function writeMonitoring(options: MonitoringOptions): Promise<MonitorResult> {
  // Loaded on first use, as everything heavy in the pipeline: its entry stays cheap for the CLI.
  const [
    { buildDashboard, dashboardUid, monitoredModelFromConfig, publishDashboard, writeMonitoringBundle },
    { readModelManifest },
  ] = await Promise.all([import('@cairn/monitoring'), import('@cairn/serve')]);
  const config = await readModelJson(options.modelFile);
  const project = options.project ?? projectName(config, options.modelFile);
  const manifest = options.artifact ? await readModelManifest(options.artifact) : undefined;
  const model = monitoredModelFromConfig(project, config, {
    name: options.name,
    manifest,
  });
  const { files } = await writeMonitoringBundle(options.out, model);
  const result: MonitorResult = { project, dashboardUid: dashboardUid(project), files };
  if (options.publish) {
    const grafana = grafanaFrom(options.env ?? process.env);
    result.published = await publishDashboard(buildDashboard(model), {
      ...grafana,
      folderUid: options.folder,
    });
  }
  return result;
}

export interface MonitorProjectOptions {
  workspaceRoot: string;
  project: string;
  publish?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The `monitor` target: the bundle of a trained model (or experiment), written under its outputs. */
export async function monitorProject(options: MonitorProjectOptions): Promise<MonitorResult> {
  const { workspaceRoot } = options;
  const trainable = resolveTrainable(await discoverProjects(workspaceRoot), options.project);
  const artifact = await ensureArtifact(workspaceRoot, trainable);
  return writeMonitoring({
    modelFile: join(workspaceRoot, trainable.configFile),
    out: join(workspaceRoot, outputPaths(trainable.root).monitorDir),
    project: trainable.name,
    artifact: artifact.dir,
    publish: options.publish,
    env: options.env,
  });
}
