import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startServer } from './cache-server';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { ensureBuilt, TestWorkspace } from './workspace';

/**
 * Issue 9, item 8: the Nx cache holds only each artifact's pointer, so a
 * machine whose `train` is a remote cache hit needs the artifact's bytes from
 * the data remote. Clone A trains and evaluates on the main branch, then runs
 * the push step of the CI workflow `nx g @cairn/nx:ci` generates; a fresh
 * clone B runs `nx affected -t train evaluate compare`: no `train` executes
 * and `evaluate` (not cached remotely) succeeds on the pulled artifacts.
 */
describe('artifacts travel: the CI push after training lets another clone evaluate remote cache hits', () => {
  let server: { url: string; process: ChildProcess };
  let a: TestWorkspace;
  const clones: TestWorkspace[] = [];
  const writeToken = 'write-token-travel-0123456789';
  const readToken = 'read-token-travel-0123456789';
  const writeEnv = () => ({
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: writeToken,
    CAIRN_REMOTE_TOKEN: writeToken,
  });
  const readEnv = () => ({
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: readToken,
    CAIRN_REMOTE_TOKEN: readToken,
  });
  const affected = ['affected', '-t', 'train', 'evaluate', 'compare', '--base=HEAD~1', '--head=HEAD'];

  function freshClone(prefix: string): TestWorkspace {
    const clone = new TestWorkspace(prefix);
    clones.push(clone);
    clone.git('remote', 'add', 'origin', a.root);
    clone.git('fetch', '-q', 'origin');
    clone.git('reset', '-q', '--hard', 'origin/main');
    return clone;
  }

  beforeAll(async () => {
    ensureBuilt();
    const storage = new TestWorkspace('cairn-e2e-travel-server-');
    clones.push(storage);
    storage.write('tokens', `write ${writeToken}\nread ${readToken}\n`);
    server = await startServer(storage.path('store'), storage.path('tokens'));
    a = new TestWorkspace('cairn-e2e-travel-a-');
    a.cairn('remote', 'add', 'origin', server.url, '--default');
    a.nx('g', '@cairn/nx:ci', '--provider=github', '--no-interactive');
    a.commit('base');
    addDataset(a, 'alpha', datasetCsv(60, 11));
    addModel(a, 'one', { datasets: ['alpha'] });
    addModel(a, 'two', { datasets: ['alpha'], params: { variant: 2 } });
    a.cairn('add', 'datasets/alpha/alpha.csv');
    a.commit('models');
  });
  afterAll(() => {
    server?.process.kill();
    a?.dispose();
    for (const clone of clones) clone.dispose();
  });

  it('A (main, write token) trains through the remote cache and evaluates locally', () => {
    const trained = a.ok(
      a.path('node_modules/.bin/nx'),
      ['affected', '-t', 'train', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static'],
      writeEnv(),
    );
    expect(TestWorkspace.tasks(trained.stdout).executed).toEqual(
      expect.arrayContaining(['one:train', 'two:train']),
    );
    // Evaluate stays out of the remote cache, so B has to run it on the artifacts.
    a.ok(
      a.path('node_modules/.bin/nx'),
      ['affected', '-t', 'evaluate', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static'],
      { ...writeEnv(), NX_SKIP_REMOTE_CACHE: 'true' },
    );
    expect(a.trainRuns('one') + a.trainRuns('two')).toBe(2);
  });

  it('negative control: with only the data pushed, B gets train from the cache and evaluate fails with DATA_UNAVAILABLE', () => {
    a.ok(a.path('node_modules/.bin/cairn'), ['push', 'datasets/alpha/alpha.csv'], writeEnv());
    const early = freshClone('cairn-e2e-travel-early-');
    const result = early.run(
      early.path('node_modules/.bin/nx'),
      [...affected, '--outputStyle=static'],
      readEnv(),
    );
    expect(result.code).not.toBe(0);
    expect(TestWorkspace.tasks(result.stdout).cached).toEqual(
      expect.arrayContaining(['one:train', 'two:train']),
    );
    expect(result.output).toContain('DATA_UNAVAILABLE');
  });

  it("A runs the generated workflow's push step, on main with the write token", () => {
    const workflow = parse(a.read('.github/workflows/cairn.yml'));
    const steps = workflow.jobs.ml.steps as Array<{ run?: string; if?: string }>;
    const push = steps.find((step) => step.run?.startsWith('npx cairn push'));
    expect(push?.if).toContain("github.ref == 'refs/heads/main'");
    a.ok('sh', ['-c', push!.run!], writeEnv());
  });

  it('a fresh clone B runs affected -t train evaluate compare: zero train executed, evaluate succeeds', () => {
    const b = freshClone('cairn-e2e-travel-b-');
    const run = b.ok(b.path('node_modules/.bin/nx'), [...affected, '--outputStyle=static'], readEnv());
    const tasks = TestWorkspace.tasks(run.stdout);
    expect(tasks.executed.filter((task) => task.endsWith(':train'))).toEqual([]);
    expect(tasks.cached).toEqual(expect.arrayContaining(['one:train', 'two:train']));
    expect(tasks.executed).toEqual(expect.arrayContaining(['one:evaluate', 'two:evaluate']));
    expect(run.stdout).toContain('[remote cache]');
    expect(b.trainRuns('one') + b.trainRuns('two')).toBe(0);
    // Same artifact, same held-out split: B's metrics are A's.
    for (const model of ['one', 'two']) {
      expect(JSON.parse(b.read(`models/${model}/metrics.json`)).metrics).toEqual(
        JSON.parse(a.read(`models/${model}/metrics.json`)).metrics,
      );
    }
  });
});
