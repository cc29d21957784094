import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GITIGNORE_ENTRIES } from '@cairn/nx';
import { cairnPath, CairnTree, CONFIG_FILE } from '@cairn/store/layout';

export const repoRoot = process.env.CAIRN_REPO_ROOT ?? join(__dirname, '..', '..', '..');

/**
 * The plugin and CLI run compiled, as a user would get them. Builds once per
 * test process (tsc -b is incremental, so this is quick when nothing changed).
 */
export function ensureBuilt(): void {
  const result = spawnSync(
    'npx',
    ['tsc', '-b', 'plugins/nx/tsconfig.lib.json', 'packages/cli/tsconfig.lib.json'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * The package.json of a workspace that borrows this repository's node_modules:
 * it lists what init and the TypeScript model template would otherwise add
 * (and install: through the symlink, into this repository).
 */
function workspaceManifest() {
  const template = JSON.parse(
    readFileSync(join(repoRoot, 'plugins', 'nx', 'templates', 'model-ts', 'dependencies.json'), 'utf8'),
  ) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
  return {
    name: 'e2e-workspace',
    private: true,
    dependencies: template.dependencies,
    devDependencies: { nx: '*', '@cairn/nx': '*', '@cairn/cli': '*', ...template.devDependencies },
  };
}

/** A throwaway Nx workspace in a git repo, using this repo's node_modules (and so the built Cairn). */
export class TestWorkspace {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix = 'cairn-e2e-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    this.env = {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_CACHE_DIRECTORY: join(this.root, '.nx', 'cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(this.root, '.nx', 'workspace-data'),
      FORCE_COLOR: '0',
      CI: 'true',
      GIT_AUTHOR_NAME: 'Cairn test',
      GIT_AUTHOR_EMAIL: 'test@cairn.invalid',
      GIT_COMMITTER_NAME: 'Cairn test',
      GIT_COMMITTER_EMAIL: 'test@cairn.invalid',
    };
    delete this.env.NX_BASE;
    delete this.env.NX_HEAD;
    symlinkSync(join(repoRoot, 'node_modules'), join(this.root, 'node_modules'), 'dir');
    this.write('package.json', JSON.stringify(workspaceManifest(), null, 2));
    this.write('.gitignore', GITIGNORE_ENTRIES.join('\n'));
    this.write(
      'nx.json',
      JSON.stringify(
        {
          neverConnectToCloud: true,
          plugins: ['@cairn/nx'],
          namedInputs: { cairnInputs: ['{projectRoot}/**/*', '!{projectRoot}/**/*.md'] },
        },
        null,
        2,
      ),
    );
    this.write(
      CONFIG_FILE,
      JSON.stringify({ version: 1, cache: { link: ['reflink', 'hardlink', 'copy'] }, remotes: {} }, null, 2),
    );
    this.git('init', '-q', '-b', 'main');
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  write(file: string, content: string | Buffer): void {
    mkdirSync(dirname(this.path(file)), { recursive: true });
    writeFileSync(
      this.path(file),
      typeof content === 'string' && !content.endsWith('\n') ? `${content}\n` : content,
    );
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  exists(file: string): boolean {
    return existsSync(this.path(file));
  }

  copyFrom(source: string, target: string): void {
    cpSync(source, this.path(target), { recursive: true });
  }

  run(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): CommandResult {
    const result: SpawnSyncReturns<string> = spawnSync(command, args, {
      cwd: this.root,
      env: { ...this.env, ...extraEnv },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return {
      code: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      output: `${result.stdout}${result.stderr}`,
    };
  }

  /** Runs a command and fails the test with its output when it does not exit 0. */
  ok(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): CommandResult {
    const result = this.run(command, args, extraEnv);
    if (result.code !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output}`);
    return result;
  }

  nx(...args: string[]): CommandResult {
    return this.ok(this.path('node_modules', '.bin', 'nx'), args);
  }

  cairn(...args: string[]): CommandResult {
    return this.ok(this.path('node_modules', '.bin', 'cairn'), args);
  }

  git(...args: string[]): CommandResult {
    return this.ok('git', args);
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-qm', message, '--allow-empty');
  }

  /** The tasks of an `nx run-many`/`affected` run, split into executed and cache hits. */
  static tasks(output: string): { executed: string[]; cached: string[] } {
    // A batch of one task prints its "> nx run" header twice: count each task once.
    const lines = [...output.matchAll(/^> nx run ([^:\s]+:[^\s]+)(.*)$/gm)];
    const unique = (ids: string[]) => [...new Set(ids)].sort();
    return {
      executed: unique(lines.filter((m) => !/cache\]/.test(m[2]!)).map((m) => m[1]!)),
      cached: unique(lines.filter((m) => /cache\]/.test(m[2]!)).map((m) => m[1]!)),
    };
  }

  /** How many times a project's training actually ran (run records are appended on every real run). */
  trainRuns(project: string): number {
    const file = join(cairnPath(this.root, CairnTree.runs), `${project}.jsonl`);
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
