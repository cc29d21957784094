import { posix } from 'node:path';
import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import { printJson } from '../output';
import { workspaceRoot } from './add';
import { renderMonitorResult } from './monitor';
import { parsePort, parseShare, renderServing } from './serve';

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
      'run one Cairn target (test, train, evaluate, explain, compare, validate, pull, monitor, deploy, drift, reproduce) for a project, as the inferred Nx targets do',
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
    .command('explain <model>')
    .description(
      'permutation importance of the trained model on its held-out split (as scikit-learn computes it); writes dist/cairn/<model>/explain/',
    )
    .option('--repeats <n>', 'shuffles per feature (default 5)')
    .option('--seed <n>', "random_state of the shuffles (default: the model's seed)")
    .option('--json', 'print importance.json')
    .action(async (model: string, options: { repeats?: string; seed?: string; json?: boolean }) => {
      const integer = (option: string, value: string | undefined, max: number): number | undefined => {
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!/^\d+$/.test(value.trim()) || n > max)
          throw cairnError('OPTION_INVALID', `--${option} ${value}: must be an integer from 0 to ${max}`, {
            data: { option, value },
          });
        return n;
      };
      const { explainProject, workspaceRoot } = await pipeline();
      const { importance } = await explainProject({
        workspaceRoot,
        project: model,
        nRepeats: integer('repeats', options.repeats, 10_000),
        seed: integer('seed', options.seed, 2 ** 32 - 1),
      });
      if (options.json) printJson(importance);
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
    .command('test <project>')
    .description(
      "run the model code's tests (model.json `test.command`) on synthetic data made from its datasets' specs",
    )
    .action(async (project: string) => {
      const { testProject, workspaceRoot } = await pipeline();
      await testProject({ workspaceRoot, project });
    });

  task
    .command('reproduce <project>')
    .description(
      "re-run the project's latest recorded training (or --run <id>) in a clean checkout of its commit and compare artifact hash and metrics",
    )
    .option('--run <id>', 'a run id (prefix) instead of the latest run')
    .option('--json', 'print the report as JSON')
    .action(async (project: string, options: { run?: string; json?: boolean }) => {
      const { runReproduce } = await import('./reproduce.js');
      await runReproduce(options.run ?? project, options);
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
    .command('deploy <model>')
    .description(
      'write Kubernetes objects (Rollout or Deployment, Services, HPA, PDB) and the canary AnalysisTemplate for a trained model',
    )
    .option('--terraform', 'also write main.tf.json (kubernetes_manifest resources)')
    .option('--json', 'print the result as JSON')
    .action(async (model: string, options: { terraform?: boolean; json?: boolean }) => {
      const { deployProject, workspaceRoot } = await pipeline();
      const result = await deployProject({ workspaceRoot, project: model, terraform: options.terraform });
      if (options.json) return printJson(result);
      process.stdout.write(
        `${result.project} ${result.version}\n${result.files.map((f) => `  ${f}\n`).join('')}`,
      );
    });

  task
    .command('serve <model>')
    .description(
      "serve a project's trained model (linked out of the store) with /predict, /healthz and /metrics",
    )
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--log',
      "log requests and predictions under the project's outputs (PII masked by the dataset spec)",
    )
    .option('--log-sample <share>', 'share of requests logged, 0..1', '1')
    .option(
      '--aliases',
      "serve the registry's champion alias, and its challenger under --traffic, with automatic canary analysis",
    )
    .option(
      '--traffic <policy>',
      'with --aliases: canary:<percent> | ab:<percent>:header=<name> | shadow',
      'canary:10',
    )
    .option(
      '--canary-interval <seconds>',
      'with --aliases: seconds between alias syncs and canary analyses',
      '60',
    )
    .option('--json', 'print the listening address as JSON')
    .action(
      async (
        model: string,
        options: {
          port: string;
          host: string;
          log?: boolean;
          logSample: string;
          aliases?: boolean;
          traffic: string;
          canaryInterval: string;
          json?: boolean;
        },
      ) => {
        const port = parsePort(options.port);
        const sampleRate = parseShare('log-sample', options.logSample);
        if (options.aliases) {
          if (options.log) {
            throw cairnError('OPTION_INVALID', '--log cannot be combined with --aliases yet', {
              data: { option: 'log', value: true },
              hint: 'serve the aliases without --log, or log one version with `cairn serve --log-dir`',
            });
          }
          const interval = Number(options.canaryInterval);
          if (!Number.isFinite(interval) || interval < 0) {
            throw cairnError(
              'OPTION_INVALID',
              `--canary-interval ${options.canaryInterval}: must be seconds ≥ 0`,
              {
                data: { option: 'canary-interval', value: options.canaryInterval },
              },
            );
          }
          const { parseTrafficFlag, serveProjectAliases, stopServersOnSignals, workspaceRoot } =
            await pipeline();
          const handle = await serveProjectAliases({
            workspaceRoot,
            project: model,
            port,
            host: options.host,
            traffic: await parseTrafficFlag(options.traffic),
            interval,
          });
          renderServing(handle, options.json);
          stopServersOnSignals();
          return;
        }
        const { serveProject, stopServersOnSignals, workspaceRoot } = await pipeline();
        const handle = await serveProject({
          workspaceRoot,
          project: model,
          port,
          host: options.host,
          ...(options.log ? { log: { sampleRate } } : {}),
        });
        renderServing(handle, options.json);
        stopServersOnSignals();
      },
    );

  task
    .command('drift <model>')
    .description("compare a model's training data with new data; exit 1 on drift unless --on-drift retrain")
    .option('--current <file>', 'new data (CSV, JSON, JSON lines); default $CAIRN_DRIFT_CURRENT')
    .option(
      '--window <rows>',
      'when --current is a request-log folder of `cairn serve`: the latest rows compared',
    )
    .option('--on-drift <action>', 'fail | retrain (write retrain-trigger.json in the model folder)', 'fail')
    .option('--test <name>', 'one drift test for every feature (any name `cairn drift --help` lists)')
    .option('--threshold <x>', "threshold for every feature (default: the test's own)")
    .option(
      '--categorical <name>',
      'compare this feature as categories even if its values are numbers (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print the drift report as JSON')
    .action(
      async (
        model: string,
        options: {
          current?: string;
          window?: string;
          onDrift: string;
          test?: string;
          threshold?: string;
          categorical?: string[];
          json?: boolean;
        },
      ) => {
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
        const { parseDriftTestChoice } = await import('./drift-run.js');
        const choice = parseDriftTestChoice(options);
        const { drift, workspaceRoot } = await pipeline();
        const window = options.window === undefined ? undefined : Number(options.window);
        if (window !== undefined && (!Number.isInteger(window) || window < 1)) {
          throw cairnError(
            'OPTION_INVALID',
            `--window ${options.window}: must be a whole number of rows ≥ 1`,
            {
              data: { option: 'window', value: options.window },
            },
          );
        }
        const report = await drift({
          workspaceRoot,
          project: model,
          current,
          onDrift: options.onDrift,
          ...choice,
          window,
        });
        if (options.json) printJson(report);
      },
    );
}
