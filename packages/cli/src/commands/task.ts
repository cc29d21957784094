import { posix } from 'node:path';
import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import { printJson } from '../output';
import { workspaceRoot } from './add';
import { renderMonitorResult } from './monitor';
import { parsePort, renderServing } from './serve';

/**
 * Loaded on first use: the pipeline pulls in every library (metrics, serving,
 * monitoring…), which `cairn --help` and the other commands do not need.
 */
async function pipeline() {
  const module = await import('@cairn/pipeline');
  return { ...module, workspaceRoot: await workspaceRoot() };
}

/**
 * `cairn task <target> <project>`: what the targets the Nx plugin infers run.
 * They are plain commands so a user can run one by hand, outside Nx, and get
 * the same result.
 */
export function register(program: Command): void {
  const task = program
    .command('task')
    .description(
      'run one Cairn target (train, evaluate, compare, validate, pull, monitor, drift) for a project, as the inferred Nx targets do',
    );

  task
    .command('list')
    .description('list the Cairn projects (datasets, models, experiments) of the workspace')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const { discoverProjects, workspaceRoot } = await pipeline();
      const projects = await discoverProjects(workspaceRoot);
      const listing = {
        datasets: [...projects.datasets.values()].map((p) => ({
          name: p.name,
          root: p.root,
          data: posix.join(p.root, p.config.data),
        })),
        models: [...projects.models.values()].map((p) => ({
          name: p.name,
          root: p.root,
          task: p.config.task,
          datasets: p.config.datasets,
        })),
        experiments: [...projects.experiments.values()].map((p) => ({
          name: p.name,
          root: p.root,
          model: p.config.model,
        })),
      };
      if (options.json) return printJson(listing);
      for (const [kind, items] of Object.entries(listing)) {
        process.stdout.write(
          `${kind}:\n${items.map((item) => `  ${item.name.padEnd(24)} ${item.root}\n`).join('') || '  (none)\n'}`,
        );
      }
    });

  task
    .command('train <project>')
    .description('train a model or experiment: split its data, run its command, store the artifact')
    .option('--json', 'print the run record as JSON')
    .action(async (project: string, options: { json?: boolean }) => {
      const { train, workspaceRoot } = await pipeline();
      const record = await train({ workspaceRoot, project });
      if (options.json) printJson(record);
    });

  task
    .command('tune <experiment>')
    .description(
      "run the experiment's hyperparameter search (tune in experiment.json): trials recorded in git, finished ones reused",
    )
    .option('--json', 'print the study (best trial and every trial) as JSON')
    .action(async (project: string, options: { json?: boolean }) => {
      const { tune, workspaceRoot } = await pipeline();
      const study = await tune({
        workspaceRoot,
        project,
        // Nx names the task it runs in these variables; by hand there is none.
        nxTask: process.env.NX_TASK_TARGET_PROJECT
          ? `${process.env.NX_TASK_TARGET_PROJECT}:${process.env.NX_TASK_TARGET_TARGET ?? 'tune'}`
          : undefined,
      });
      if (options.json) printJson(study);
    });

  task
    .command('evaluate <project>')
    .description(
      'score the trained model on its held-out split; --cv runs stratified k-fold cross-validation',
    )
    .option('--cv <folds>', 'number of folds', (value) => Number.parseInt(value, 10))
    .option('--json', 'print the metrics as JSON')
    .action(async (project: string, options: { cv?: number; json?: boolean }) => {
      const { evaluate, workspaceRoot } = await pipeline();
      const metrics = await evaluate({ workspaceRoot, project, cv: options.cv });
      if (options.json) printJson(metrics);
    });

  task
    .command('compare <project>')
    .description(
      "the CI gate: compare metrics.json with the base commit's, by the model's gates (exit 1 on failure)",
    )
    .option('--base <ref>', 'git ref of the baseline (default: CAIRN_BASE_REF, NX_BASE, main)')
    .option('--json', 'print the comparison as JSON')
    .action(async (project: string, options: { base?: string; json?: boolean }) => {
      const { compare, workspaceRoot } = await pipeline();
      const report = await compare({
        workspaceRoot,
        project,
        baseRef: options.base,
        ...(options.json ? { log: () => undefined } : {}),
      });
      if (options.json) printJson(report);
    });

  task
    .command('pull <project>')
    .description("materialize a dataset's (or a model's datasets') data from the content store and verify it")
    .action(async (project: string) => {
      const { ensureProjectData, workspaceRoot } = await pipeline();
      await ensureProjectData(workspaceRoot, project);
    });

  task
    .command('artifact <model>')
    .description(
      "link a trained model's artifact out of the content store (after a cache hit) and print its folder",
    )
    .action(async (model: string) => {
      const { discoverProjects, ensureArtifact, resolveTrainable, workspaceRoot } = await pipeline();
      const trainable = resolveTrainable(await discoverProjects(workspaceRoot), model);
      const { dir } = await ensureArtifact(workspaceRoot, trainable);
      process.stdout.write(`${dir}\n`);
    });

  task
    .command('validate <dataset>')
    .description(
      "check a dataset's data against its pointer and the validation spec of its dataset.json (exit 1 on errors)",
    )
    .action(async (dataset: string) => {
      const { validateProject, workspaceRoot } = await pipeline();
      await validateProject({ workspaceRoot, project: dataset });
    });

  task
    .command('monitor <model>')
    .description(
      'write the Grafana dashboard, Prometheus rules and promtool rule tests for a trained model; --publish pushes the dashboard',
    )
    .option('--publish', 'push the dashboard to Grafana (GRAFANA_URL, GRAFANA_TOKEN); only when it changed')
    .option('--json', 'print the result as JSON')
    .action(async (model: string, options: { publish?: boolean; json?: boolean }) => {
      const { monitorProject, workspaceRoot } = await pipeline();
      const result = await monitorProject({ workspaceRoot, project: model, publish: options.publish });
      renderMonitorResult(result, options.json);
    });

  task
    .command('serve <model>')
    .description(
      "serve a project's trained model (linked out of the store) with /predict, /healthz and /metrics",
    )
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print the listening address as JSON')
    .action(async (model: string, options: { port: string; host: string; json?: boolean }) => {
      const port = parsePort(options.port);
      const { serveProject, stopServersOnSignals, workspaceRoot } = await pipeline();
      const handle = await serveProject({ workspaceRoot, project: model, port, host: options.host });
      renderServing(handle, options.json);
      stopServersOnSignals();
    });

  task
    .command('drift <model>')
    .description("compare a model's training data with new data; exit 1 on drift unless --on-drift retrain")
    .option('--current <file>', 'new data (CSV, JSON, JSON lines); default $CAIRN_DRIFT_CURRENT')
    .option('--on-drift <action>', 'fail | retrain (write retrain-trigger.json in the model folder)', 'fail')
    .option('--json', 'print the drift report as JSON')
    .action(async (model: string, options: { current?: string; onDrift: string; json?: boolean }) => {
      const current = options.current ?? process.env.CAIRN_DRIFT_CURRENT;
      if (!current) {
        throw cairnError(
          'CURRENT_DATA_REQUIRED',
          'drift needs new data: pass --current FILE or set CAIRN_DRIFT_CURRENT',
          {
            hint: 'e.g. nx run my-model:drift --current=data/last-week.csv',
          },
        );
      }
      if (options.onDrift !== 'fail' && options.onDrift !== 'retrain') {
        throw cairnError('OPTION_INVALID', `--on-drift ${options.onDrift}: must be fail or retrain`, {
          data: { option: 'on-drift', value: options.onDrift },
        });
      }
      const { drift, workspaceRoot } = await pipeline();
      const report = await drift({ workspaceRoot, project: model, current, onDrift: options.onDrift });
      if (options.json) printJson(report);
    });
}
