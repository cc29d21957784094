import type { Command } from 'commander';
import { printJson } from '../output';
import type { MonitorCommandOptions } from './monitor-run';

// Only the command's definition loads at start-up; its implementation (./monitor-run) loads when it runs.
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
      'project name: dashboard uid and title (default: the folder holding model.json)',
    )
    .option('--name <model>', 'the `model` label the server exports (default: the project name)')
    .option('--artifact <dir>', 'artifact folder whose cairn-model.json lists the features and class labels')
    .option('--publish', 'push the dashboard to Grafana (GRAFANA_URL, GRAFANA_TOKEN); only when it changed')
    .option('--folder <uid>', 'Grafana folder uid to publish into')
    .option('--json', 'print the result as JSON')
    .action(async (options: MonitorCommandOptions) => {
      const { runMonitor } = await import('./monitor-run.js');
      const result = await runMonitor(options);
      if (options.json) {
        printJson(result);
        return;
      }
      for (const written of result.files) process.stdout.write(`wrote ${written}\n`);
      if (result.published) process.stdout.write(`dashboard ${result.dashboardUid}: ${result.published}\n`);
    });
}
