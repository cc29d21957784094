import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer, type RunningCacheServer } from '../src';
import { READ_TOKEN, tempDir, TOKENS, WRITE_TOKEN } from './helpers';

const repoRoot = process.env.CAIRN_REPO_ROOT!;
const nxBin = join(repoRoot, 'node_modules', '.bin', 'nx');
const PROJECTS = ['alpha', 'beta'];

function git(cwd: string, ...args: string[]): void {
  execFileSync(
    'git',
    [
      '-c',
      'user.name=cairn-test',
      '-c',
      'user.email=test@cairn.invalid',
      '-c',
      'init.defaultBranch=main',
      ...args,
    ],
    {
      cwd,
      stdio: 'pipe',
    },
  );
}

/** A minimal Nx workspace whose `build` targets write random bytes (so a rerun could never reproduce them). */
function createWorkspace(root: string): void {
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'remote-cache-e2e', private: true }, null, 2),
  );
  writeFileSync(
    join(root, 'nx.json'),
    JSON.stringify({ neverConnectToCloud: true, targetDefaults: {} }, null, 2),
  );
  writeFileSync(join(root, '.gitignore'), 'node_modules\ndist\n.nx\n');
  for (const name of PROJECTS) {
    const dir = join(root, 'projects', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'build.js'),
      `const fs = require('fs');
fs.mkdirSync('dist/${name}', { recursive: true });
fs.writeFileSync('dist/${name}/artifact.bin', Buffer.from(Array.from({ length: 200000 }, (_, i) => (i * 7 + ${name.charCodeAt(0)}) % 251)));
console.log('built ${name}');
`,
    );
    writeFileSync(
      join(dir, 'project.json'),
      JSON.stringify(
        {
          name,
          root: `projects/${name}`,
          targets: {
            build: {
              executor: 'nx:run-commands',
              options: { command: `node projects/${name}/build.js`, cwd: '{workspaceRoot}' },
              outputs: [`{workspaceRoot}/dist/${name}`],
              cache: true,
            },
          },
        },
        null,
        2,
      ),
    );
  }
}

/** Runs Nx asynchronously: the server under test lives in this process, so blocking here would deadlock. */
function runNx(
  cwd: string,
  cacheDir: string,
  server: string,
  token: string,
): Promise<{ status: number | null; output: string }> {
  const child = spawn(nxBin, ['run-many', '-t', 'build', '--output-style=static'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
      NX_CACHE_DIRECTORY: cacheDir,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_WORKSPACE_DATA_DIRECTORY: join(cacheDir, 'workspace-data'),
      CI: 'true',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return new Promise((resolve) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      resolve({ status, output: output.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}

describe('stock Nx as the client', () => {
  let server: RunningCacheServer;
  const dir = tempDir('nx-remote');

  beforeAll(async () => {
    server = await startCacheServer({
      storage: new FileSystemStorage(join(dir.path, 'server')),
      tokens: TOKENS,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  it('stores task outputs from workspace A and restores them byte-identical in a fresh clone B', async () => {
    const a = join(dir.path, 'a');
    mkdirSync(a);
    createWorkspace(a);
    git(a, 'init', '-q');
    git(a, 'add', '.');
    git(a, 'commit', '-q', '-m', 'init');
    symlinkSync(join(repoRoot, 'node_modules'), join(a, 'node_modules'));

    const first = await runNx(a, join(dir.path, 'cache-a'), server.url, WRITE_TOKEN);
    expect(first.status, first.output).toBe(0);
    for (const name of PROJECTS) expect(first.output).toContain(`built ${name}`);
    // Nx uploaded one entry per task.
    expect(readdirSync(join(dir.path, 'server', 'cache'))).toHaveLength(PROJECTS.length);

    const b = join(dir.path, 'b');
    git(dir.path, 'clone', '-q', a, b);
    symlinkSync(join(repoRoot, 'node_modules'), join(b, 'node_modules'));
    // A pull-request build: read-only token, empty local cache.
    const second = await runNx(b, join(dir.path, 'cache-b'), server.url, READ_TOKEN);
    expect(second.status, second.output).toBe(0);
    for (const name of PROJECTS) {
      expect(second.output).toMatch(new RegExp(`nx run ${name}:build\\s+\\[remote cache\\]`));
      expect(
        readFileSync(join(b, 'dist', name, 'artifact.bin')).equals(
          readFileSync(join(a, 'dist', name, 'artifact.bin')),
        ),
      ).toBe(true);
    }
    expect(second.output).toMatch(/Cache:\s+2\/2 hit/);
  }, 120_000);
});
