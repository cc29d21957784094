import { resolve } from 'node:path';
import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import type { MonitorResult } from '@cairn/pipeline';
import { printJson } from '../output';

interface MonitorCommandOptions {
  model?: string;
  out?: string;
  project?: string;
  name?: string;
  artifact?: string;
  publish?: boolean;
  folder?: string;
  json?: boolean;
}

function required(options: MonitorCommandOptions, option: 'model' | 'out', usage: string): string {
  const value = options[option];
  if (!value) throw cairnError('OPTION_REQUIRED', `--${option} ${usage} is required`, { data: { option } });
  return value;
}

/** Prints a monitoring result (also for `cairn task monitor`). */
export function renderMonitorResult(result: MonitorResult, json?: boolean): void {
  if (json) return printJson(result);
  for (const written of result.files) process.stdout.write(`wrote ${written}\n`);
  if (result.published) process.stdout.write(`dashboard ${result.dashboardUid}: ${result.published}\n`);
}

// Only the command's definition loads at start-up; the pipeline loads when it runs.
export function register(program: Command): void {
  program
    .command('monitor')
    .description(
      "Generate a model's Grafana dashboard, Prometheus rules and their promtool tests; optionally publish the dashboard",
    )
    .option('--model <file>', "the model's model.json (thresholds from its `monitoring` block)")
    .option('--out <dir>', 'folder to write dashboard.json, rules.yml and rules.test.yml into')
    .option(
      '--project <name>',
      'project name: dashboard uid and title (default: the project of model.json: its name, else its folder)',
    )
    .option('--name <model>', 'the `model` label the server exports (default: the project name)')
    .option('--artifact <dir>', 'artifact folder whose cairn-model.json lists the features and class labels')
    .option('--publish', 'push the dashboard to Grafana (GRAFANA_URL, GRAFANA_TOKEN); only when it changed')
    .option('--folder <uid>', 'Grafana folder uid to publish into')
    .option('--json', 'print the result as JSON')
    .action(async (options: MonitorCommandOptions) => {
      const modelFile = resolve(required(options, 'model', '<model.json>'));
      const out = required(options, 'out', '<dir>');
      const { writeMonitoring } = await import('@cairn/pipeline');
      const result = await writeMonitoring({
        modelFile,
        out,
        project: options.project,
        name: options.name,
        artifact: options.artifact,
        publish: options.publish,
        folder: options.folder,
      });
      renderMonitorResult(result, options.json);
    });
}
