import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaDiagnostics } from '../../../plugins/nx/src/generators/ci/workflow-schema.testing';
import { repoRoot } from './workspace';

/**
 * A stranger's first hour: the publishable packages, packed, installed with nx
 * into an empty folder outside this repository (its own node_modules, no link
 * back here), then every command of README's "In your own workspace" section,
 * read from README.md itself, in order — once per supported Nx version.
 */

/** The Nx in the lockfile, and the newest Nx 24 (what `npm install -D nx` brought when this was written). */
const NX_VERSIONS = [
  readJson<{ version: string }>(join(repoRoot, 'node_modules', 'nx', 'package.json')).version,
  '24.0.6',
];

/** Shared between runs and Nx versions: the second install of the same packages needs no download. */
const NPM_CACHE = join(tmpdir(), 'cairn-e2e-npm-cache');

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The shell block of README's "In your own workspace" that runs `init`, one command per line, comments dropped. */
function readmeCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('In your own workspace'));
  if (!section) throw new Error('README.md has no "## In your own workspace" section');
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const block = blocks.find((text) => text.includes('@cairn/nx:init'));
  if (!block) throw new Error('README.md: no sh block with `nx g @cairn/nx:init` in "In your own workspace"');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** Replaces `from` in exactly one command, so a README edit that drops it fails here instead of testing less. */
function substitute(commands: string[], from: string, to: string): string[] {
  const hits = commands.filter((command) => command.includes(from));
  if (hits.length !== 1) throw new Error(`README command with "${from}": expected one, found ${hits.length}`);
  return commands.map((command) => command.split(from).join(to));
}

/** The environment of someone else's shell: nothing from this repository's npm run, Nx or vitest. */
function strangerEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|NX_|VITEST|CAIRN_|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$)/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    npm_config_cache: NPM_CACHE,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_CACHE_DIRECTORY: join(root, '.nx', 'cache'),
    FORCE_COLOR: '0',
    CI: 'true',
    GIT_AUTHOR_NAME: 'Stranger',
    GIT_AUTHOR_EMAIL: 'stranger@cairn.invalid',
    GIT_COMMITTER_NAME: 'Stranger',
    GIT_COMMITTER_EMAIL: 'stranger@cairn.invalid',
  };
}

describe('a stranger follows README "In your own workspace" with the packed packages', () => {
  let packDir: string;
  const workspaces: string[] = [];

  beforeAll(() => {
    packDir = mkdtempSync(join(tmpdir(), 'cairn-e2e-packages-'));
    const pack = spawnSync('node', ['tools/release/pack.mjs', '--out', packDir], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (pack.status !== 0) throw new Error(`npm run pack failed:\n${pack.stdout}${pack.stderr}`);
    mkdirSync(NPM_CACHE, { recursive: true });
  }, 300_000);

  afterAll(() => {
    for (const dir of [packDir, ...workspaces]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(NX_VERSIONS)(
    'with Nx %s: installs, scaffolds, trains both templates, gates and writes CI',
    (nxVersion) => {
      const root = mkdtempSync(join(tmpdir(), 'cairn-stranger-'));
      workspaces.push(root);
      expect(relative(repoRoot, root).startsWith('..')).toBe(true);
      const env = strangerEnv(root);

      let commands = readmeCommands(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
      commands = substitute(commands, 'npm install -D nx ', `npm install -D nx@${nxVersion} `);
      commands = substitute(commands, '/path/to/cairn/dist/packages', packDir);
      commands = substitute(commands, '/path/to/cairn/examples', join(repoRoot, 'examples'));

      const file = (path: string) => join(root, path);
      // JSON written by the tools under test: each check reads the fields it asserts on.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const json = <T = Record<string, any>>(path: string) => readJson<T>(file(path));
      const git = (...args: string[]) =>
        spawnSync('git', args, { cwd: root, env, encoding: 'utf8' }).stdout.trim();

      /** What each command must have produced, checked right after it. */
      const checks: [RegExp, (output: string) => void][] = [
        [/^git init/, () => expect(existsSync(file('.git'))).toBe(true)],
        [
          /^npm install -D nx/,
          () => {
            expect(json('node_modules/nx/package.json').version).toBe(nxVersion);
            expect(lstatSync(file('node_modules')).isSymbolicLink()).toBe(false);
            const plugin = realpathSync(file('node_modules/@cairn/nx'));
            expect(plugin.startsWith(root)).toBe(true);
            for (const shipped of [
              'templates/model-ts/files/train.mjs',
              'templates/model-python/files/train.py',
              'templates/ci/github/files/.github/workflows/cairn.yml__tmpl__',
              'schemas/model.schema.json',
              'schemas/dataset.schema.json',
            ]) {
              expect(lstatSync(join(plugin, shipped)).isFile(), shipped).toBe(true);
            }
          },
        ],
        [
          /nx g @cairn\/nx:init/,
          () => {
            expect(json('nx.json').plugins).toContain('@cairn/nx');
            const ignored = readFileSync(file('.gitignore'), 'utf8').split('\n');
            expect(ignored).toEqual(
              expect.arrayContaining(['node_modules', '/.nx', '/dist', '/.cairn/cache/']),
            );
            expect(json('.cairn/config.json').version).toBe(1);
            expect(Object.keys(json('package.json').devDependencies)).toEqual(
              expect.arrayContaining(['nx', '@cairn/nx', '@cairn/cli']),
            );
          },
        ],
        [/^git checkout -b/, () => expect(git('branch', '--show-current')).toBe('iris')],
        [
          /nx:dataset iris/,
          () => {
            expect(json('datasets/iris/iris.csv.cairn')).toBeTruthy();
            expect(
              spawnSync('git', ['check-ignore', '-q', 'datasets/iris/iris.csv'], { cwd: root }).status,
            ).toBe(0);
            const dataset = json('datasets/iris/dataset.json');
            expect(existsSync(join(root, 'datasets/iris', dataset.$schema))).toBe(true);
          },
        ],
        [
          /nx:model iris-forest .*--template=ts/,
          () => {
            const model = json('models/iris-forest/model.json');
            expect(existsSync(join(root, 'models/iris-forest', model.$schema))).toBe(true);
            const dependencies = json('package.json').dependencies;
            for (const name of ['ml-random-forest', 'ml-matrix', 'csv-parse']) {
              expect(dependencies[name], name).toBeTruthy();
              expect(existsSync(file(`node_modules/${name}/package.json`)), name).toBe(true);
            }
          },
        ],
        [
          /nx:model iris-sklearn .*--template=python/,
          () => expect(existsSync(file('models/iris-sklearn/train.py'))).toBe(true),
        ],
        [/^git add -A && git commit -m "iris models"/, () => expect(git('status', '--porcelain')).toBe('')],
        [
          /nx affected -t validate train evaluate compare/,
          (output) => {
            expect(output).not.toContain('No tasks were run');
            expect(json('dist/cairn/datasets/iris/validate/validation-report.json').ok).toBe(true);
            for (const model of ['iris-forest', 'iris-sklearn']) {
              expect(existsSync(file(`dist/cairn/models/${model}/train/model.cairn`)), model).toBe(true);
              expect(json(`dist/cairn/models/${model}/model/cairn-model.json`).task).toBe('multiclass');
              const metrics = json(`models/${model}/metrics.json`);
              expect(metrics.split.testRows).toBe(30);
              expect(metrics.metrics.accuracy, model).toBeGreaterThan(0.85);
              expect(readFileSync(file(`dist/cairn/models/${model}/compare/report.md`), 'utf8')).toContain(
                model,
              );
              expect(json(`dist/cairn/models/${model}/compare/report.json`)).toHaveProperty('baseRef');
            }
          },
        ],
        [
          /nx:ci --provider=github/,
          () => {
            const workflow = parse(readFileSync(file('.github/workflows/cairn.yml'), 'utf8'));
            expect(schemaDiagnostics(workflow)).toEqual([[]]);
          },
        ],
        [
          /nx show project iris-forest/,
          (output) => {
            const project = JSON.parse(output.slice(output.indexOf('{')));
            expect(Object.keys(project.targets)).toEqual(
              expect.arrayContaining(['train', 'evaluate', 'compare', 'monitor', 'serve', 'drift']),
            );
          },
        ],
      ];

      const checked = new Set<number>();
      for (const command of commands) {
        const run = spawnSync('bash', ['-c', command], {
          cwd: root,
          env,
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
        const output = `${run.stdout}${run.stderr}`;
        if (run.status !== 0)
          throw new Error(`Nx ${nxVersion}: \`${command}\` exited ${run.status}:\n${output}`);
        checks.forEach(([pattern, check], index) => {
          if (!pattern.test(command)) return;
          checked.add(index);
          check(run.stdout);
        });
      }
      // Every expectation met a command: README lost none of the steps this test is about.
      expect(checks.filter((_, index) => !checked.has(index)).map(([pattern]) => String(pattern))).toEqual(
        [],
      );
    },
    600_000,
  );
});
