import type { TargetConfiguration } from '@nx/devkit';
import {
  outputPaths,
  toolkitVersion,
  type DatasetConfig,
  type ExperimentConfig,
  type ModelConfig,
} from '@cairn/pipeline/project-config';

/**
 * The named input every Cairn target hashes for its dependencies (`^cairnInputs`).
 * Dataset projects define it as their pointer files and dataset.json — never the
 * gitignored data itself, which Nx cannot see — and models as their code and
 * config. Ordinary libraries fall back to the definition `nx g @cairn/nx:init`
 * puts in nx.json (their files, without docs).
 */
export const CAIRN_INPUTS = 'cairnInputs';

type Targets = Record<string, TargetConfiguration>;

export interface InferredProject {
  name: string;
  projectType: 'application' | 'library';
  tags: string[];
  namedInputs: Record<string, string[]>;
  targets: Targets;
  metadata: { description: string; technologies: string[] };
}

/**
 * Commands run through `nx:run-commands` rather than a custom executor: a
 * custom executor costs a forked Node process per task, the `cairn` bin on the
 * PATH Nx gives run-commands is cheaper, and it is the same command a user
 * can run by hand. The toolkit version is part of each target's config, so an
 * upgrade of Cairn invalidates results computed by the old version.
 */
function cairnTask(
  target: string,
  project: string,
  extra: Partial<TargetConfiguration> & { args?: string },
): TargetConfiguration {
  const { args, ...rest } = extra;
  return {
    executor: 'nx:run-commands',
    options: {
      command: `cairn task ${target} ${project}${args ? ` ${args}` : ''}`,
      env: { CAIRN_TOOLKIT_VERSION: toolkitVersion },
    },
    ...rest,
  };
}

/**
 * `train` and `evaluate` run through the plugin's executors, which Nx batches
 * (`preferBatch`): all such tasks of a run share one process, so a hundred
 * models do not pay a hundred Node start-ups. The toolkit version is an option
 * so that it is part of the task hash.
 */
function batchedStep(step: 'train' | 'evaluate', extra: Partial<TargetConfiguration>): TargetConfiguration {
  return { executor: `@cairn/nx:${step}`, options: { toolkitVersion }, ...extra };
}

type HelpExample = NonNullable<NonNullable<TargetConfiguration['metadata']>['help']>['example'];

/**
 * `metadata` is what `nx show project` shows: the description, and (Nx's
 * `help` shape) the command that prints the target's options with an example
 * of passing them. Every Cairn target is `cairn task <target>`, run by hand
 * or by the executors, so its help is that command's.
 */
function describe(
  step: string,
  target: TargetConfiguration,
  description: string,
  example: HelpExample = {},
): TargetConfiguration {
  return {
    ...target,
    metadata: {
      ...(target.metadata ?? {}),
      description,
      technologies: ['cairn'],
      help: { command: `npx cairn task ${step} --help`, example },
    },
  };
}

export function datasetProject(name: string, config: DatasetConfig, projectRoot: string): InferredProject {
  const out = outputPaths(projectRoot);
  return {
    name,
    projectType: 'library',
    tags: ['cairn:dataset'],
    namedInputs: { [CAIRN_INPUTS]: ['{projectRoot}/**/*.cairn', '{projectRoot}/dataset.json'] },
    metadata: { description: config.description ?? `Dataset ${name}`, technologies: ['cairn'] },
    targets: {
      validate: describe(
        'validate',
        cairnTask('validate', name, {
          cache: true,
          dependsOn: [],
          inputs: [CAIRN_INPUTS, { env: 'CAIRN_TOOLKIT_VERSION' }],
          outputs: [`{workspaceRoot}/${out.validateDir}`],
        }),
        'Checks the data against its pointer (integrity) and the validation spec in dataset.json (schema, quality rules, PII).',
      ),
      pull: describe(
        'pull',
        cairnTask('pull', name, { cache: false }),
        "Materializes the dataset's data from the content store (or the default remote) and verifies it against its pointer.",
      ),
    },
  };
}

/**
 * `train` waits for the `validate` of the datasets it reads, so data that
 * breaks its validation spec stops the run before training and no result is
 * cached. `^validate` reaches an experiment's datasets through its model
 * (Nx looks through dependencies that have no such target).
 */
const VALIDATE_DATASETS = '^validate';

function trainableTargets(
  name: string,
  projectRoot: string,
  config: Pick<ModelConfig, 'env' | 'validateBeforeTrain'>,
): Targets {
  const out = outputPaths(projectRoot);
  const inputs = [
    CAIRN_INPUTS,
    `^${CAIRN_INPUTS}`,
    ...(config.env ?? []).map((variable) => ({ env: variable })),
  ];
  return {
    train: describe(
      'train',
      batchedStep('train', {
        cache: true,
        dependsOn: config.validateBeforeTrain === false ? [] : [VALIDATE_DATASETS],
        inputs,
        outputs: [`{workspaceRoot}/${out.trainDir}`],
      }),
      `Trains the model on the train split of its datasets${config.validateBeforeTrain === false ? '' : ' once their validate passed'}; the artifact goes to the content store, its pointer, metrics and run record are the cached outputs.`,
    ),
    evaluate: describe(
      'evaluate',
      batchedStep('evaluate', {
        cache: true,
        dependsOn: ['train'],
        inputs,
        outputs: [`{workspaceRoot}/${out.evaluateDir}`, `{projectRoot}/metrics.json`],
      }),
      'Scores the trained model on the held-out split (seeded, stratified) with scikit-learn-exact metrics; writes metrics.json to commit as the next baseline.',
      { options: { cv: 5 } },
    ),
  };
}

export function modelProject(name: string, config: ModelConfig, projectRoot: string): InferredProject {
  const out = outputPaths(projectRoot);
  const targets = trainableTargets(name, projectRoot, config);
  return {
    name,
    projectType: 'application',
    tags: ['cairn:model', `cairn:task:${config.task}`],
    namedInputs: {
      [CAIRN_INPUTS]: ['{projectRoot}/**/*', '!{projectRoot}/**/*.md', '!{projectRoot}/metrics.json'],
    },
    metadata: { description: config.description ?? `Model ${name}`, technologies: ['cairn'] },
    targets: {
      ...targets,
      compare: describe(
        'compare',
        cairnTask('compare', name, { cache: false, dependsOn: ['evaluate'] }),
        "The CI gate: compares the evaluation with the model's metrics.json at the base commit (CAIRN_BASE_REF, NX_BASE or main) using the gates of model.json; writes a Markdown report.",
        { args: ['--base=origin/main'] },
      ),
      monitor: describe(
        'monitor',
        cairnTask('monitor', name, {
          cache: true,
          dependsOn: ['train'],
          inputs: [CAIRN_INPUTS, `^${CAIRN_INPUTS}`],
          outputs: [`{workspaceRoot}/${out.monitorDir}`],
        }),
        'Generates the Grafana dashboard, Prometheus recording/alerting rules and their promtool tests for this model.',
        { args: ['--publish'] },
      ),
      serve: describe(
        'serve',
        cairnTask('serve', name, { cache: false, dependsOn: ['train'], continuous: true }),
        'Serves the trained model over HTTP (/predict, /healthz, /metrics for Prometheus); pass --port to choose the port.',
        { args: ['--port=8080'] },
      ),
      drift: describe(
        'drift',
        cairnTask('drift', name, { cache: false, dependsOn: ['train'] }),
        "Compares the model's training data with new data (--current FILE or CAIRN_DRIFT_CURRENT) and writes an HTML + JSON drift report.",
        { args: ['--current=data/last-week.csv'] },
      ),
    },
  };
}

export function experimentProject(
  name: string,
  config: ExperimentConfig,
  projectRoot: string,
): InferredProject {
  return {
    name,
    projectType: 'application',
    tags: ['cairn:experiment'],
    namedInputs: {
      [CAIRN_INPUTS]: ['{projectRoot}/**/*', '!{projectRoot}/**/*.md', '!{projectRoot}/metrics.json'],
    },
    metadata: {
      description: config.description ?? `Experiment ${name} on model ${config.model}`,
      technologies: ['cairn'],
    },
    targets: {
      ...trainableTargets(name, projectRoot, { validateBeforeTrain: config.validateBeforeTrain }),
      ...(config.tune ? { tune: tuneTarget(name, projectRoot) } : {}),
    },
  };
}

/**
 * The hyperparameter search. Its trials are recorded in git and reused by
 * params and inputs (docs/experiments.md), so the study summary is the only
 * cached output; sharing trials between machines goes through `cairn exp push/pull`.
 */
function tuneTarget(name: string, projectRoot: string): TargetConfiguration {
  return describe(
    'tune',
    cairnTask('tune', name, {
      cache: true,
      dependsOn: [VALIDATE_DATASETS],
      inputs: [CAIRN_INPUTS, `^${CAIRN_INPUTS}`, { env: 'CAIRN_TOOLKIT_VERSION' }],
      outputs: [`{workspaceRoot}/${outputPaths(projectRoot).tuneStudy}`],
    }),
    "Runs the experiment's search (tune in experiment.json: space, method grid/random/TPE, objective, budget, parallelism, pruner); each trial is recorded as an experiment and reused on rerun; the best params go into the project with `cairn exp apply`.",
    { args: ['--json'] },
  );
}
