import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { workspaceDataDirectory } from '@nx/devkit/internal';
import { isCairnError } from '@cairn/errors';
import { createNodesFunction, inferProject } from './create-nodes';
import { createDependencies } from './create-dependencies';
import { runCli } from '../../../../packages/cli/test/run-cli';

const model = {
  datasets: ['iris'],
  label: 'species',
  task: 'multiclass',
  train: { command: 'node train.mjs' },
  env: ['TRAIN_SEED_OVERRIDE'],
};

function workspace(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'cairn-nodes-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

/** Targets that run a `cairn model` command rather than `cairn task`. */
const REGISTRY_TARGETS = ['register', 'promote', 'package'];

describe('createNodes', () => {
  it('infers dataset and model projects with described, cacheable targets hashed on pointers, not data', async () => {
    const root = workspace({
      'data/iris/dataset.json': { data: 'iris.csv' },
      'models/iris-rf/model.json': model,
    });
    const results = await createNodesFunction(
      ['data/iris/dataset.json', 'models/iris-rf/model.json'],
      {},
      {
        workspaceRoot: root,
        nxJsonConfiguration: {},
      },
    );
    const byRoot = Object.fromEntries(results.flatMap(([, result]) => Object.entries(result.projects ?? {})));
    const dataset = byRoot['data/iris']!;
    expect(dataset.name).toBe('iris');
    expect(dataset.namedInputs?.cairnInputs).toEqual([
      '{projectRoot}/**/*.cairn',
      '{projectRoot}/dataset.json',
    ]);
    expect(Object.keys(dataset.targets ?? {})).toEqual(['validate', 'pull']);

    const trained = byRoot['models/iris-rf']!;
    expect(trained.name).toBe('iris-rf');
    const train = trained.targets!.train!;
    expect(train.cache).toBe(true);
    expect(train.inputs).toEqual(['cairnInputs', '^cairnInputs', { env: 'TRAIN_SEED_OVERRIDE' }]);
    expect(train.outputs).toEqual(['{workspaceRoot}/dist/cairn/models/iris-rf/train']);
    expect(train.executor).toBe('@cairn/nx:train');
    expect(train.options.toolkitVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(trained.targets!.compare!.options.command).toBe('cairn task compare iris-rf');
    expect(trained.targets!.evaluate!.dependsOn).toEqual(['train']);
    expect(train.dependsOn).toEqual(['^validate']);
    expect(trained.namedInputs?.cairnInputs).toContain('!{projectRoot}/**/*.md');
    for (const target of Object.values(trained.targets!)) expect(target.metadata?.description).toBeTruthy();
  });

  it("keeps inferred projects in Nx's workspace data directory with PluginCache, keyed by the config bytes", async () => {
    const uniqueName = `cached-${process.pid}-${Date.now()}`;
    const root = workspace({ 'data/iris/dataset.json': { name: uniqueName, data: 'iris.csv' } });
    const context = { workspaceRoot: root, nxJsonConfiguration: {} };
    const first = await createNodesFunction(['data/iris/dataset.json'], {}, context);
    const cached = readdirSync(workspaceDataDirectory)
      .filter((file) => /^cairn-nx-.+\.hash$/.test(file))
      .map((file) => readFileSync(join(workspaceDataDirectory, file), 'utf8'))
      .filter((text) => text.includes(uniqueName));
    expect(cached).toHaveLength(1);
    const { entries, accessOrder } = JSON.parse(cached[0]!) as {
      entries: Record<string, { name: string }>;
      accessOrder: string[];
    };
    const key = Object.keys(entries).find((k) => entries[k]!.name === uniqueName)!;
    expect(accessOrder).toContain(key);
    // A second run serves the same project; an edited config is inferred afresh.
    expect(await createNodesFunction(['data/iris/dataset.json'], {}, context)).toEqual(first);
    writeFileSync(
      join(root, 'data/iris/dataset.json'),
      JSON.stringify({ name: `${uniqueName}-2`, data: 'x.csv' }),
    );
    const edited = await createNodesFunction(['data/iris/dataset.json'], {}, context);
    expect(edited[0]![1].projects!['data/iris']!.name).toBe(`${uniqueName}-2`);
  });

  it('every target carries Nx-shaped help: a `cairn task` (or `cairn model`) command that exists and takes the example options', async () => {
    const projects = [
      inferProject('data/iris/dataset.json', JSON.stringify({ data: 'iris.csv' })),
      inferProject('models/m/model.json', JSON.stringify({ ...model, test: { command: 'npx vitest run' } })),
      inferProject('experiments/e/experiment.json', JSON.stringify({ model: 'm' })),
    ];
    const targets = projects.flatMap((project) => Object.entries(project.targets));
    expect(new Set(targets.map(([name]) => name))).toEqual(
      new Set([
        'validate',
        'pull',
        'test',
        'train',
        'evaluate',
        'reproduce',
        'compare',
        'monitor',
        'deploy',
        'serve',
        'drift',
        'explain',
        ...REGISTRY_TARGETS,
      ]),
    );
    for (const [name, target] of targets) {
      const help = target.metadata?.help;
      const group = REGISTRY_TARGETS.includes(name) ? 'model' : 'task';
      expect(help?.command, name).toBe(`npx cairn ${group} ${name} --help`);
      const usage = await runCli(help!.command.split(' ').slice(2));
      expect(usage.code, `${name}: ${usage.stderr}`).toBe(0);
      expect(usage.stdout).toContain(`Usage: cairn ${group} ${name}`);
      const exampleOptions = [
        ...Object.keys(help!.example.options ?? {}),
        ...(help!.example.args ?? []).map((arg) => arg.replace(/^--([^=]+).*$/, '$1')),
      ];
      for (const option of exampleOptions) expect(usage.stdout, name).toContain(`--${option}`);
    }
  });

  it('hashes package on what makes the package: base image, signing key, toolkit, timestamps', () => {
    const { package: pack } = inferProject('models/m/model.json', JSON.stringify(model)).targets;
    expect(pack!.cache).toBe(true);
    expect(pack!.inputs).toEqual(
      expect.arrayContaining(
        ['CAIRN_BASE_IMAGE', 'CAIRN_SIGNING_KEY', 'CAIRN_TOOLKIT_VERSION', 'SOURCE_DATE_EPOCH'].map(
          (env) => ({
            env,
          }),
        ),
      ),
    );
  });

  it("train depends on the datasets' validate unless validateBeforeTrain is false (model and experiment)", () => {
    const text = (extra: object) => JSON.stringify({ ...model, ...extra });
    expect(inferProject('models/m/model.json', text({})).targets.train!.dependsOn).toEqual(['^validate']);
    expect(
      inferProject('models/m/model.json', text({ validateBeforeTrain: true })).targets.train!.dependsOn,
    ).toEqual(['^validate']);
    const unguarded = inferProject('models/m/model.json', text({ validateBeforeTrain: false }));
    expect(unguarded.targets.train!.dependsOn).toEqual([]);
    expect(unguarded.targets.train!.metadata!.description).not.toContain('validate');
    const experiment = (extra: object) =>
      inferProject('experiments/e/experiment.json', JSON.stringify({ model: 'm', ...extra }));
    expect(experiment({}).targets.train!.dependsOn).toEqual(['^validate', '^test']);
    expect(experiment({ validateBeforeTrain: false }).targets.train!.dependsOn).toEqual(['^test']);
    expect(experiment({ testBeforeTrain: false }).targets.train!.dependsOn).toEqual(['^validate']);
    expect(() => inferProject('models/m/model.json', text({ validateBeforeTrain: 'no' }))).toThrow(
      /validateBeforeTrain must be boolean/,
    );
  });

  it('a model declaring tests gets a cached `test` target hashed on code, dataset specs and libraries, and train waits for it', () => {
    const tested = (extra: object) =>
      inferProject(
        'models/m/model.json',
        JSON.stringify({ ...model, dependsOn: ['features'], test: { command: 'npx vitest run' }, ...extra }),
      );
    const { targets } = tested({});
    expect(targets.test).toMatchObject({
      cache: true,
      dependsOn: [],
      outputs: [],
      options: { command: 'cairn task test m' },
      inputs: [
        'cairnInputs',
        { input: 'cairnSpec', projects: ['iris'] },
        { input: 'cairnInputs', projects: ['features'] },
        { env: 'CAIRN_TOOLKIT_VERSION' },
      ],
    });
    // Never the dataset pointers (the data): a data change must not rerun code tests.
    expect(JSON.stringify(targets.test!.inputs)).not.toContain('^cairnInputs');
    expect(targets.test!.metadata!.description).toContain('npx vitest run');
    // Not a data-reading target: the stale-data check leaves `nx run-many -t test` alone.
    expect(targets.test!.metadata!.technologies).toEqual([]);
    expect(targets.train!.dependsOn).toEqual(['^validate', 'test']);
    expect(tested({ testBeforeTrain: false }).targets.train!.dependsOn).toEqual(['^validate']);
    expect(inferProject('models/m/model.json', JSON.stringify(model)).targets.test).toBeUndefined();
    const dataset = inferProject('data/iris/dataset.json', JSON.stringify({ data: 'iris.csv' }));
    expect(dataset.namedInputs.cairnSpec).toEqual(['{projectRoot}/dataset.json']);
  });

  it('fails on a bad config naming the file, the JSON pointer and what is valid', () => {
    let caught: unknown;
    try {
      inferProject('models/bad/model.json', JSON.stringify({ ...model, task: 'classify' }));
    } catch (error) {
      caught = error;
    }
    expect(isCairnError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toBe(
      'models/bad/model.json: /task must be one of "binary", "multiclass", "regression"',
    );

    expect(() => inferProject('models/bad/model.json', '{ "datasets": [')).toThrow(
      /models\/bad\/model.json: \(root\) is not valid JSON/,
    );
    expect(() => inferProject('models/bad/model.json', JSON.stringify({ ...model, train: {} }))).toThrow(
      'models/bad/model.json: /train/command is required',
    );
    expect(() => inferProject('models/bad/model.json', JSON.stringify({ ...model, tain: 1 }))).toThrow(
      'models/bad/model.json: /tain is not a known field',
    );
  });
});

describe('createDependencies', () => {
  const context = (projects: Record<string, { root: string; tags: string[] }>, root: string) =>
    ({
      projects,
      workspaceRoot: root,
      nxJsonConfiguration: {},
      externalNodes: {},
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    }) as never;

  it('adds edges model → datasets and libraries, experiment → model', async () => {
    const root = workspace({
      'models/m/model.json': { ...model, dependsOn: ['features'] },
      'experiments/e/experiment.json': { model: 'm', params: { depth: 2 } },
    });
    const deps = await createDependencies(
      {},
      context(
        {
          iris: { root: 'data/iris', tags: ['cairn:dataset'] },
          features: { root: 'libs/features', tags: [] },
          m: { root: 'models/m', tags: ['cairn:model'] },
          e: { root: 'experiments/e', tags: ['cairn:experiment'] },
        },
        root,
      ),
    );
    expect(deps.map((d) => `${d.source}->${d.target}`).sort()).toEqual(['e->m', 'm->features', 'm->iris']);
  });

  it('names the file and the known datasets when a model references a missing one', async () => {
    const root = workspace({ 'models/m/model.json': { ...model, datasets: ['irsi'] } });
    await expect(
      (async () =>
        createDependencies(
          {},
          context(
            {
              iris: { root: 'data/iris', tags: ['cairn:dataset'] },
              m: { root: 'models/m', tags: ['cairn:model'] },
            },
            root,
          ),
        ))(),
    ).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
      message: 'models/m/model.json: no dataset project named "irsi"',
      hint: 'known datasets: iris',
    });
  });
});
