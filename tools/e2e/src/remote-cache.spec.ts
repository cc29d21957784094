import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '@cairn/hash';
import { addDataset, addModel, datasetCsv } from './fixtures';
import { startServer } from './cache-server';
import { ensureBuilt, TestWorkspace } from './workspace';

/**
 * Workspace A trains with the self-hosted remote cache and pushes its data to
 * the same server; a fresh clone B, with an empty Nx cache and an empty
 * content store, gets every task from the remote cache and its artifacts back
 * byte-identical from the data remote.
 */
describe('remote cache: a fresh clone never retrains what another machine trained', () => {
  let server: { url: string; process: ChildProcess };
  let a: TestWorkspace;
  let b: TestWorkspace;
  let storage: TestWorkspace;
  const writeToken = 'write-token-e2e-0123456789';
  const readToken = 'read-token-e2e-0123456789';

  beforeAll(async () => {
    ensureBuilt();
    storage = new TestWorkspace('cairn-e2e-server-');
    storage.write('tokens', `write ${writeToken}\nread ${readToken}\n`);
    server = await startServer(storage.path('store'), storage.path('tokens'));
    a = new TestWorkspace('cairn-e2e-a-');
    addDataset(a, 'alpha', datasetCsv(50, 5));
    addModel(a, 'one', { datasets: ['alpha'] });
    addModel(a, 'two', { datasets: ['alpha'] });
    a.cairn('add', 'datasets/alpha/alpha.csv');
    a.cairn('remote', 'add', 'origin', server.url, '--default');
    a.commit('init');
  });
  afterAll(async () => {
    if (server && server.process.exitCode === null && server.process.signalCode === null) {
      // The store is removed only once the server can no longer write into it.
      const exited = new Promise((resolve) => server.process.once('exit', resolve));
      server.process.kill();
      await exited;
    }
    storage?.dispose();
    a?.dispose();
    b?.dispose();
  });

  it('A trains with the remote cache (write token) and pushes data and artifacts', () => {
    const env = {
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: writeToken,
      CAIRN_REMOTE_TOKEN: writeToken,
    };
    const run = a.ok(
      a.path('node_modules/.bin/nx'),
      ['run-many', '-t', 'train', 'evaluate', '--outputStyle=static'],
      env,
    );
    expect(TestWorkspace.tasks(run.stdout).executed).toEqual([
      'alpha:validate',
      'one:evaluate',
      'one:train',
      'two:evaluate',
      'two:train',
    ]);
    a.ok(a.path('node_modules/.bin/cairn'), ['push'], env);
    a.ok(
      a.path('node_modules/.bin/cairn'),
      ['push', 'dist/cairn/models/one/train/model.cairn', 'dist/cairn/models/two/train/model.cairn'],
      env,
    );
    a.commit('metrics');
  });

  it('a fresh clone B with empty caches gets every task from the remote cache and the artifacts byte-identical', async () => {
    b = new TestWorkspace('cairn-e2e-b-');
    b.git('remote', 'add', 'origin', a.root);
    b.git('fetch', '-q', 'origin');
    b.git('reset', '-q', '--hard', 'origin/main');
    const env = {
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: readToken,
      CAIRN_REMOTE_TOKEN: readToken,
    };
    const run = b.ok(
      b.path('node_modules/.bin/nx'),
      ['run-many', '-t', 'train', 'evaluate', '--outputStyle=static'],
      env,
    );
    expect(run.stdout).toContain('[remote cache]');
    const tasks = TestWorkspace.tasks(run.stdout);
    expect(tasks.executed).toEqual([]);
    expect(tasks.cached).toEqual([
      'alpha:validate',
      'one:evaluate',
      'one:train',
      'two:evaluate',
      'two:train',
    ]);
    expect(b.trainRuns('one') + b.trainRuns('two')).toBe(0);

    // The cached outputs hold the artifact's pointer; the bytes come from the data remote.
    const artifactDir = b
      .ok(b.path('node_modules/.bin/cairn'), ['task', 'artifact', 'one'], env)
      .stdout.trim();
    for (const file of ['cairn-model.json', 'model.json', 'predict.cjs']) {
      const ours = await hashFile(`${artifactDir}/${file}`);
      const theirs = await hashFile(a.path('dist/cairn/models/one/model', file));
      expect(ours).toEqual(theirs);
    }
    expect(readFileSync(b.path('models/one/metrics.json'), 'utf8')).toBe(
      readFileSync(a.path('models/one/metrics.json'), 'utf8'),
    );
  });
});
