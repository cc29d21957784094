import type { Command } from 'commander';
import { printJson } from '../output';
import type { ServeCommandOptions } from './serve-run';

// Only the command's definition loads at start-up; its implementation (./serve-run) loads when it runs.
export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve a model artifact over HTTP: POST /predict, GET /healthz, GET /metrics (Prometheus)')
    .argument('<artifact>', 'artifact folder (holding cairn-model.json) or a .cairn pointer file to it')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--name <model>',
      'the `model` label of every metric (default: the project folder holding model.json)',
    )
    .option(
      '--model-version <v>',
      'the `version` label (default: pointer hash or a content hash of the artifact)',
    )
    .option(
      '--reference <csv>',
      'training data (CSV with header): feature drift scores and training class shares',
    )
    .option('--training-metrics <json>', 'JSON object of evaluation metrics of this version to export')
    .option(
      '--trained-at <date>',
      'when this version was trained, ISO date or Unix seconds (default: manifest mtime)',
    )
    .option('--python <path>', 'interpreter for python models (default: $CAIRN_PYTHON or /usr/bin/python3)')
    .option('--no-metrics', 'disable /metrics and metric collection')
    .option('--json', 'print the listening address as JSON')
    .action(async (target: string, options: ServeCommandOptions) => {
      const { startServe, stopOnSignals } = await import('./serve-run.js');
      const handle = await startServe(target, options);
      const info = {
        url: handle.url,
        model: handle.modelName,
        version: handle.version,
        runtime: handle.model.manifest.runtime,
        metrics: options.metrics !== false,
      };
      if (options.json) printJson(info);
      else process.stdout.write(`serving ${info.model} (${info.version}, ${info.runtime}) at ${info.url}\n`);
      stopOnSignals();
    });
}
