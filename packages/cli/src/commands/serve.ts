import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import type { RunningServe } from '@cairn/pipeline';
import { printJson } from '../output';

interface ServeCommandOptions {
  port?: string;
  host?: string;
  name?: string;
  modelVersion?: string;
  reference?: string;
  trainingMetrics?: string;
  trainedAt?: string;
  python?: string;
  metrics?: boolean;
  expectHash?: string;
  json?: boolean;
  alias?: string;
  challenger?: string;
  challengerVersion?: string;
  traffic?: string;
  logDir?: string;
  logSample?: string;
}

/** `--log-sample`, also for `cairn task serve`. */
export function parseShare(option: string, value: string): number {
  const share = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || share > 1) {
    throw cairnError('OPTION_INVALID', `--${option} ${value}: must be a share from 0 to 1`, {
      data: { option, value },
    });
  }
  return share;
}

/** `--port`, also for `cairn task serve`. */
export function parsePort(value: string | undefined): number {
  const port = Number(value ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw cairnError('OPTION_INVALID', `--port ${value}: must be an integer from 0 to 65535`, {
      data: { option: 'port', value },
    });
  }
  return port;
}

function parseTrainedAt(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds)) {
    throw cairnError('OPTION_INVALID', `--trained-at ${value}: must be an ISO date or Unix seconds`, {
      data: { option: 'trained-at', value },
    });
  }
  return seconds;
}

/** Prints where a server listens (also for `cairn task serve`). */
export function renderServing(handle: RunningServe, json?: boolean, metrics = true): void {
  const info = {
    url: handle.url,
    model: handle.modelName,
    version: handle.version,
    runtime: handle.model.manifest.runtime,
    metrics,
  };
  if (json) printJson(info);
  else process.stdout.write(`serving ${info.model} (${info.version}, ${info.runtime}) at ${info.url}\n`);
}

// Only the command's definition loads at start-up; the pipeline loads when it runs.
export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve a model artifact over HTTP: POST /predict, GET /healthz, GET /metrics (Prometheus)')
    .argument('<artifact>', 'artifact folder (holding cairn-model.json) or a .cairn pointer file to it')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--name <model>',
      'the `model` label of every metric (default: the project the artifact belongs to, by its model.json)',
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
    .option('--alias <name>', 'registry alias this version serves (an `alias` label on its series)')
    .option('--challenger <artifact>', 'a second artifact (folder or .cairn pointer) served beside it')
    .option('--challenger-version <v>', "the challenger's `version` label")
    .option(
      '--traffic <policy>',
      'how the challenger gets traffic: canary:<percent> | ab:<percent>:header=<name> | ab:<percent>:field=<name> | shadow',
      'canary:10',
    )
    .option('--log-dir <dir>', 'log requests and predictions there (JSON Lines, rotated)')
    .option('--log-sample <share>', 'share of requests logged, 0..1', '1')
    .option(
      '--expect-hash <b3>',
      'load a folder only if its content hash is this (e.g. from `cairn model show`); a pointer brings its own',
    )
    .option('--json', 'print the listening address as JSON')
    .action(async (target: string, options: ServeCommandOptions) => {
      const port = parsePort(options.port);
      const trainedAtSeconds = options.trainedAt ? parseTrainedAt(options.trainedAt) : undefined;
      const sampleRate = parseShare('log-sample', options.logSample ?? '1');
      const { parseTrafficFlag, startServe, stopServersOnSignals } = await import('@cairn/pipeline');
      if (!options.challenger && options.traffic !== 'canary:10') {
        throw cairnError('OPTION_INVALID', '--traffic needs a --challenger to share traffic with', {
          data: { option: 'traffic', value: options.traffic },
        });
      }
      const traffic = options.challenger ? await parseTrafficFlag(options.traffic ?? 'canary:10') : undefined;
      const handle = await startServe(target, {
        ...(options.alias ? { alias: options.alias } : {}),
        ...(options.challenger && traffic
          ? {
              challenger: {
                target: options.challenger,
                version: options.challengerVersion,
                traffic,
              },
            }
          : {}),
        ...(options.logDir ? { predictionLog: { dir: options.logDir, sampleRate } } : {}),
        port,
        host: options.host,
        name: options.name,
        modelVersion: options.modelVersion,
        reference: options.reference,
        trainingMetrics: options.trainingMetrics,
        trainedAtSeconds,
        python: options.python,
        metrics: options.metrics,
        expectedHash: options.expectHash,
      });
      renderServing(handle, options.json, options.metrics !== false);
      stopServersOnSignals();
    });
}
