import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { gitIn } from '../../../tools/test-support/src/points-workspace';
import type { VersionInput } from '../src/index';

export { gitIn as gitCli };

/** A fresh git repository with one commit, removed by the returned cleanup. */
export function makeRepo(prefix = 'cairn-registry-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(join(os.tmpdir(), prefix));
  gitIn(dir, 'init', '-q', '-b', 'main');
  fs.writeFileSync(join(dir, 'README.md'), 'registry test\n');
  gitIn(dir, 'add', '.');
  gitIn(dir, 'commit', '-qm', 'first');
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A version record as a train run would produce it; `n` varies the artifact and run. */
export function versionInput(n: number): VersionInput {
  const hex = (n + 1).toString(16).padStart(2, '0').repeat(32);
  return {
    artifact: { hash: `${hex}.dir`, size: 1000 + n, nfiles: 2 },
    metrics: { accuracy: 0.9 + n / 1000 },
    inputs: { iris: { pointer: 'examples/datasets/iris/iris.csv.cairn', hash: 'ab'.repeat(32), size: 4550 } },
    params: { n_estimators: 10 + n },
    code: { commit: 'c0'.repeat(20) },
    run: { id: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`, project: 'iris' },
    signature: {
      inputs: [
        { name: 'sepal_length', type: 'number' },
        { name: 'sepal_width', type: 'number' },
      ],
      outputs: { name: 'species', labels: ['setosa', 'versicolor', 'virginica'] },
    },
  };
}

/** A clock that starts at `start` and advances `stepSeconds` per call: entry times are exact. */
export function steppingClock(start: string, stepSeconds = 60): () => Date {
  let next = Date.parse(start);
  return () => {
    const now = new Date(next);
    next += stepSeconds * 1000;
    return now;
  };
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs test/registry-child.ts in its own Node process, on the TypeScript sources. */
export function runChild(args: string[]): Promise<ChildResult> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cairn/source',
      '-r',
      require.resolve('@swc-node/register'),
      join(__dirname, 'registry-child.ts'),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Replaces the registry's audit.jsonl with `text` in a new commit made with
 * the real git CLI (plumbing, a private index): what someone with push
 * access to the registry ref could do.
 */
export function tamperAuditLog(dir: string, text: string): void {
  const env = { ...process.env, GIT_INDEX_FILE: join(dir, '.git', 'tamper-index') };
  const git = (args: string[], input?: string) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...env,
        GIT_AUTHOR_NAME: 'm',
        GIT_AUTHOR_EMAIL: 'm@x',
        GIT_COMMITTER_NAME: 'm',
        GIT_COMMITTER_EMAIL: 'm@x',
      },
      input,
      encoding: 'utf8',
    }).trim();
  const blob = git(['hash-object', '-w', '--stdin'], text);
  git(['read-tree', 'refs/cairn/registry']);
  git(['update-index', '--add', '--cacheinfo', `100644,${blob},audit.jsonl`]);
  const tree = git(['write-tree']);
  const commit = git(['commit-tree', tree, '-p', 'refs/cairn/registry', '-m', 'tidy the log']);
  git(['update-ref', 'refs/cairn/registry', commit]);
  fs.rmSync(env.GIT_INDEX_FILE, { force: true });
}
