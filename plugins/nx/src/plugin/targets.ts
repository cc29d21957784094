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

/** A dataset's spec without its data (dataset.json): what a model's `test` target hashes of it. */
export const CAIRN_SPEC = 'cairnSpec';

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

/**
 * A registry target: a `cairn model` command (never cached: it writes the
 * registry ref, whose state is not a file Nx could restore).
 */
function registryTarget(
  subcommand: 'register' | 'promote' | 'package',
  command: string,
  dependsOn: string[],
  description: string,
  example: HelpExample,
  caching: Pick<TargetConfiguration, 'cache' | 'inputs' | 'outputs'> = { cache: false },
): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    options: { command, env: { CAIRN_TOOLKIT_VERSION: toolkitVersion } },
    ...caching,
    dependsOn,
    metadata: {
      description,
      technologies: ['cairn'],
      help: { command: `npx cairn model ${subcommand} --help`, example },
    },
  };
}

export function datasetProject(name: string, config: DatasetConfig, projectRoot: string): InferredProject {
  const out = outputPaths(projectRoot);
  return {
    name,
    projectType: 'library',
    tags: ['cairn:dataset'],
    namedInputs: {
      [CAIRN_INPUTS]: ['{projectRoot}/**/*.cairn', '{projectRoot}/dataset.json'],
      [CAIRN_SPEC]: ['{projectRoot}/dataset.json'],
    },
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

/**
 * A model's code tests run before its training (`testBeforeTrain`); an
 * experiment's train waits for the tests of the model whose code it trains.
 */
function trainDependsOn(
  config: Pick<ModelConfig, 'validateBeforeTrain' | 'testBeforeTrain'>,
  tests: 'test' | '^test' | undefined,
): string[] {
  return [
    ...(config.validateBeforeTrain === false ? [] : [VALIDATE_DATASETS]),
    ...(tests && config.testBeforeTrain !== false ? [tests] : []),
  ];
}

function trainableTargets(
  name: string,
  projectRoot: string,
  config: Pick<ModelConfig, 'env' | 'validateBeforeTrain' | 'testBeforeTrain'>,
  tests: 'test' | '^test' | undefined,
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
        dependsOn: trainDependsOn(config, tests),
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

/**
 * The model code's tests on synthetic data: inputs are the code, the specs of
 * its datasets and the files of the libraries it depends on, never the data
 * (its pointers), so a data change does not rerun them and CI needs no download.
 */
function testTarget(name: string, config: ModelConfig): TargetConfiguration {
  const target = describe(
    'test',
    cairnTask('test', name, {
      cache: true,
      dependsOn: [],
      inputs: [
        CAIRN_INPUTS,
        { input: CAIRN_SPEC, projects: config.datasets },
        ...(config.dependsOn?.length ? [{ input: CAIRN_INPUTS, projects: config.dependsOn }] : []),
        { env: 'CAIRN_TOOLKIT_VERSION' },
      ],
      outputs: [],
    }),
    `Runs the model code's tests (\`${config.test!.command}\`) on synthetic data made from its datasets' validation specs: no real data, no download.`,
  );
  // It reads no data, so it is not a "Cairn target" for the stale-data check (data-check.ts):
  // a data edit in progress must not block `nx run-many -t test`.
  return { ...target, metadata: { ...target.metadata, technologies: [] } };
}

export function modelProject(name: string, config: ModelConfig, projectRoot: string): InferredProject {
  const out = outputPaths(projectRoot);
  const targets = trainableTargets(name, projectRoot, config, config.test ? 'test' : undefined);
  return {
    name,
    projectType: 'application',
    tags: ['cairn:model', `cairn:task:${config.task}`],
    namedInputs: {
      [CAIRN_INPUTS]: ['{projectRoot}/**/*', '!{projectRoot}/**/*.md', '!{projectRoot}/metrics.json'],
    },
    metadata: { description: config.description ?? `Model ${name}`, technologies: ['cairn'] },
    targets: {
      ...(config.test ? { test: testTarget(name, config) } : {}),
      ...targets,
      reproduce: describe(
        'reproduce',
        cairnTask('reproduce', name, { cache: false, dependsOn: ['train'] }),
        "Re-runs the model's latest recorded training (train first restores it from the cache) in a clean checkout of its commit with the recorded data, Nx cache bypassed, and compares the artifact hash and every metric with the record: exit 1 when they differ, 3 when it cannot run.",
        { args: ['--run=<run-id>'] },
      ),
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
      deploy: describe(
        'deploy',
        cairnTask('deploy', name, {
          cache: true,
          dependsOn: ['train'],
          inputs: [CAIRN_INPUTS, `^${CAIRN_INPUTS}`],
          outputs: [`{workspaceRoot}/${out.deployDir}`],
        }),
        "Generates the Kubernetes objects for the trained version (Deployment or Argo Rollouts Rollout, Services, HPA, PDB, probes on /healthz) and an AnalysisTemplate whose Prometheus checks are the model's monitoring thresholds; --terraform adds main.tf.json.",
        { args: ['--terraform'] },
      ),
      serve: describe(
        'serve',
        cairnTask('serve', name, { cache: false, dependsOn: ['train'], continuous: true }),
        'Serves the trained model over HTTP (/predict, /healthz, /metrics for Prometheus); pass --port to choose the port.',
        { args: ['--port=8080'] },
      ),
      register: registryTarget(
        'register',
        `cairn model register ${name}`,
        ['train'],
        "Records the trained artifact as the model's next registry version (lineage: data hashes, params, code commit, run, metrics, signature); re-registering the same run is a no-op.",
        { args: ['--why=nightly retrain'] },
      ),
      promote: registryTarget(
        'promote',
        `cairn model promote ${name} --to champion --why "compare gate passed"`,
        ['register', 'compare'],
        'Moves the champion alias to the version just registered, only after the compare gate passed; the move is audited and compare-and-swapped on refs/cairn/registry.',
        { args: ['--to=challenger'] },
      ),
      package: registryTarget(
        'package',
        `cairn model package ${name}`,
        ['train'],
        'Packages the trained model: a Dockerfile (multi-stage, non-root, digest-pinned base from CAIRN_BASE_IMAGE, HEALTHCHECK on /healthz) and a daemonless OCI image layout (server, runtime dependencies, artifact), signed with CAIRN_SIGNING_KEY when set; prints the manifest digest.',
        { args: ['--base=node:20-bookworm-slim@sha256:<digest>'] },
        {
          cache: true,
          inputs: [
            CAIRN_INPUTS,
            `^${CAIRN_INPUTS}`,
            { env: 'CAIRN_BASE_IMAGE' },
            // The key signs the package: a new key (or none) must not be answered from the cache. Nx keeps only a hash of it.
            { env: 'CAIRN_SIGNING_KEY' },
            { env: 'CAIRN_TOOLKIT_VERSION' },
            { env: 'SOURCE_DATE_EPOCH' },
          ],
          outputs: [`{workspaceRoot}/${out.base}/package`],
        },
      ),
      explain: describe(
        'explain',
        cairnTask('explain', name, {
          cache: true,
          dependsOn: ['train'],
          inputs: [CAIRN_INPUTS, `^${CAIRN_INPUTS}`],
          outputs: [`{workspaceRoot}/${out.explainDir}`],
        }),
        'Permutation importance of the trained model on its held-out split, equal to scikit-learn for the same predictions and seed: importance.json, importance.csv and an SVG chart.',
        { args: ['--repeats=10', '--seed=0'] },
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
      ...trainableTargets(
        name,
        projectRoot,
        { validateBeforeTrain: config.validateBeforeTrain, testBeforeTrain: config.testBeforeTrain },
        '^test',
      ),
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
