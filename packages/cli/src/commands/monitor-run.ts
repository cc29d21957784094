import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { cairnError } from '@cairn/errors';
import {
  buildDashboard,
  dashboardUid,
  monitoredModelFromConfig,
  publishDashboard,
  writeMonitoringBundle,
  type PublishResult,
} from '@cairn/monitoring';
import { readModelManifest } from '@cairn/serve';

export interface MonitorCommandOptions {
  model?: string;
  out?: string;
  project?: string;
  name?: string;
  artifact?: string;
  publish?: boolean;
  folder?: string;
  json?: boolean;
}

export interface MonitorResult {
  project: string;
  dashboardUid: string;
  files: string[];
  published?: PublishResult;
}

async function readModelJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw cairnError(
      'MONITOR_MODEL_NOT_FOUND',
      `${file}: cannot read the model config (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      {
        data: { file },
      },
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
  return value as Record<string, unknown>;
}

/**
 * Generates (and optionally publishes) one model's monitoring bundle from its
 * model.json and, when given, its artifact manifest (features, class labels).
 */
export async function runMonitor(
  options: MonitorCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MonitorResult> {
  if (!options.model)
    throw cairnError('OPTION_REQUIRED', '--model <model.json> is required', {
      data: { option: 'model' },
    });
  if (!options.out)
    throw cairnError('OPTION_REQUIRED', '--out <dir> is required', { data: { option: 'out' } });
  const file = resolve(options.model);
  const config = await readModelJson(file);
  const project = options.project ?? basename(dirname(file));
  const manifest = options.artifact ? await readModelManifest(options.artifact) : undefined;
  const model = monitoredModelFromConfig(project, config, {
    file: options.model,
    name: options.name,
    manifest,
  });
  const { files } = await writeMonitoringBundle(options.out, model);
  const result: MonitorResult = { project, dashboardUid: dashboardUid(project), files };
  if (options.publish) {
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
    result.published = await publishDashboard(buildDashboard(model), {
      url,
      token,
      folderUid: options.folder,
    });
  }
  return result;
}
