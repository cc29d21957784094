import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  cpSync,
  readdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileSystemStorage, startCacheServer } from '@cairn/cache-server';
import { objectFile, openWorkspaceRemote } from '@cairn/remote';
import { referencedObjects, serializePointer, storePath, type Pointer } from '@cairn/store';
import { main } from '../main';
import { stopCacheServers } from './cache-server';
import { runCli } from '../../test/run-cli';
import { waitUntil } from '../../../../tools/test-support/src';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cairn-cli-${prefix}-`));
  dirs.push(dir);
  return dir;
}

const cairn = (cwd: string, ...args: string[]) => runCli(args, { cwd });

/** A workspace with a tracked file and a tracked folder. */
async function trackedWorkspace(): Promise<string> {
  const root = tempDir('ws');
  mkdirSync(join(root, '.git'));
  expect((await cairn(root, 'init')).code).toBe(0);
  mkdirSync(join(root, 'data', 'images'), { recursive: true });
  writeFileSync(join(root, 'data', 'table.csv'), 'a,b\n1,2\n3,4\n');
  for (let i = 0; i < 5; i += 1)
    writeFileSync(join(root, 'data', 'images', `img${i}.bin`), `image-${i}-${'x'.repeat(i * 100)}`);
  const added = await cairn(root, 'add', 'data/table.csv', 'data/images');
  expect(added.code, added.stderr).toBe(0);
  return root;
}

/** What a fresh clone has: the committed files (pointers, config, .gitignore), not the data or the cache. */
function cloneOf(root: string): string {
  const clone = tempDir('clone');
  mkdirSync(join(clone, '.git'));
  mkdirSync(join(clone, 'data'));
  mkdirSync(join(clone, '.cairn'));
  cpSync(join(root, '.cairn', 'config.json'), join(clone, '.cairn', 'config.json'));
  for (const name of readdirSync(join(root, 'data'))) {
    if (name.endsWith('.cairn')) cpSync(join(root, 'data', name), join(clone, 'data', name));
  }
  return clone;
}

describe('cairn remote add / list / remove', () => {
  it('edits .cairn/config.json and validates names and URLs', async () => {
    const root = await trackedWorkspace();
    expect((await cairn(root, 'remote', 'add', 'backup', '/srv/cairn')).code).toBe(0);
    expect((await cairn(root, 'remote', 'add', 'ci', 'http://127.0.0.1:3000', '--default')).code).toBe(0);
    const listed = await cairn(root, 'remote', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: 'backup', url: '/srv/cairn', default: false },
      { name: 'ci', url: 'http://127.0.0.1:3000', default: true },
    ]);
    const config = JSON.parse(readFileSync(join(root, '.cairn', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ remotes: { backup: { url: '/srv/cairn' } }, defaultRemote: 'ci' });

    const duplicate = await cairn(root, 'remote', 'add', 'ci', 's3://bucket/x');
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('REMOTE_EXISTS');
    expect((await cairn(root, 'remote', 'add', 'x', 'ftp://host')).stderr).toContain('REMOTE_URL_INVALID');
    expect((await cairn(root, 'remote', 'add', 'bad/name', '/x')).stderr).toContain('REMOTE_NAME_INVALID');

    expect((await cairn(root, 'remote', 'remove', 'ci')).code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(root, '.cairn', 'config.json'), 'utf8')).defaultRemote,
    ).toBeUndefined();
    const unknown = await cairn(root, 'remote', 'remove', 'ci');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('REMOTE_UNKNOWN');
  });
});

describe('cairn push / pull', () => {
  it('round-trips tracked data through a local-path remote into a fresh clone', async () => {
    const root = await trackedWorkspace();
    const remoteDir = tempDir('remote');
    await cairn(root, 'remote', 'add', 'shared', remoteDir, '--default');
    const pushed = await cairn(root, 'push', '--json');
    expect(pushed.code, pushed.stderr).toBe(0);
    // file + manifest + 5 images
    expect(JSON.parse(pushed.stdout)).toMatchObject({
      remote: 'shared',
      transferred: 7,
      skipped: 0,
      unavailable: [],
    });
    expect(JSON.parse((await cairn(root, 'push', '--json')).stdout)).toMatchObject({
      transferred: 0,
      skipped: 7,
    });

    const clone = cloneOf(root);
    const pulled = await cairn(clone, 'pull', '--json');
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ transferred: 7, unavailable: [] });
    expect(readFileSync(join(clone, 'data', 'table.csv'), 'utf8')).toBe('a,b\n1,2\n3,4\n');
    for (let i = 0; i < 5; i += 1) {
      expect(readFileSync(join(clone, 'data', 'images', `img${i}.bin`), 'utf8')).toBe(
        `image-${i}-${'x'.repeat(i * 100)}`,
      );
    }
  });

  it('pushes to and pulls from a cache server with tokens from CAIRN_REMOTE_TOKEN', async () => {
    const root = await trackedWorkspace();
    const server = await startCacheServer({
      storage: new FileSystemStorage(tempDir('server')),
      tokens: [
        { scope: 'write', token: 'write-token-0123456789abcdef' },
        { scope: 'read', token: 'read-token-0123456789abcdef' },
      ],
      log: () => undefined,
    });
    try {
      await cairn(root, 'remote', 'add', 'ci', server.url);
      vi.stubEnv('CAIRN_REMOTE_TOKEN', 'write-token-0123456789abcdef');
      const pushed = await cairn(root, 'push', 'data/images', '--remote', 'ci', '--json');
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(JSON.parse(pushed.stdout)).toMatchObject({ transferred: 6 });

      vi.stubEnv('CAIRN_REMOTE_TOKEN', 'read-token-0123456789abcdef');
      const clone = cloneOf(root);
      // Only the folder was pushed: pulling everything reports the missing file and checks nothing out.
      const partial = await cairn(clone, 'pull', '--json');
      expect(partial.code).toBe(1);
      expect(JSON.parse(partial.stdout).unavailable).toHaveLength(1);
      const images = await cairn(clone, 'pull', 'data/images');
      expect(images.code, images.stderr).toBe(0);
      expect(readFileSync(join(clone, 'data', 'images', 'img3.bin'), 'utf8')).toBe(
        `image-3-${'x'.repeat(300)}`,
      );

      // A read token cannot push.
      const denied = await cairn(root, 'push', '--remote', 'ci', '--json');
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain('REMOTE_TRANSFER_FAILED');
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }
  });

  it('push with no paths sends trained artifacts (dist/cairn, Nx cache entries); an artifact pointer pulls by path', async () => {
    const root = await trackedWorkspace();
    // What `train` leaves: the artifact stored, its pointer only under dist/cairn (and in an Nx cache entry).
    const artifacts: Pointer[] = [];
    for (const [name, file] of [
      ['m', 'dist/cairn/models/m/train/model.cairn'],
      ['n', '.nx/cache/8812/dist/cairn/models/n/train/model.cairn'],
    ] as const) {
      const scratch = join(root, 'scratch');
      mkdirSync(scratch, { recursive: true });
      writeFileSync(join(scratch, 'model.json'), `{"model":"${name}"}`);
      writeFileSync(join(scratch, 'cairn-model.json'), `{"entry":"${name}"}`);
      const pointer = await storePath(root, scratch);
      rmSync(scratch, { recursive: true });
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), serializePointer({ ...pointer, path: 'model' }));
      artifacts.push(pointer);
    }
    const artifactIds = await referencedObjects(root, artifacts);
    expect(artifactIds).toHaveLength(6);

    const remoteDir = tempDir('remote');
    await cairn(root, 'remote', 'add', 'shared', remoteDir, '--default');
    const pushed = await cairn(root, 'push', '--json');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ transferred: 7 + 6, unavailable: [] });
    for (const id of artifactIds) expect(existsSync(objectFile(remoteDir, id)), id).toBe(true);

    const server = await startCacheServer({
      storage: new FileSystemStorage(tempDir('server')),
      tokens: [{ scope: 'write', token: 'write-token-0123456789abcdef' }],
      log: () => undefined,
    });
    try {
      await cairn(root, 'remote', 'add', 'ci', server.url);
      vi.stubEnv('CAIRN_REMOTE_TOKEN', 'write-token-0123456789abcdef');
      const overHttp = await cairn(root, 'push', '--remote', 'ci', '--json');
      expect(overHttp.code, overHttp.stderr).toBe(0);
      expect(JSON.parse(overHttp.stdout)).toMatchObject({ transferred: 13, unavailable: [] });
      const { remote } = await openWorkspaceRemote(root, 'ci');
      expect(await remote.missing(artifactIds)).toEqual([]);
      await remote.close();
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }

    // Another machine: the artifact pointer (as an Nx cache hit restores it) pulls by its path.
    const clone = cloneOf(root);
    mkdirSync(join(clone, 'dist', 'cairn', 'models', 'm', 'train'), { recursive: true });
    cpSync(
      join(root, 'dist', 'cairn', 'models', 'm', 'train', 'model.cairn'),
      join(clone, 'dist', 'cairn', 'models', 'm', 'train', 'model.cairn'),
    );
    const pulled = await cairn(clone, 'pull', 'dist/cairn/models/m/train/model.cairn', '--json');
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ transferred: 3, unavailable: [] });
    expect(
      readFileSync(join(clone, 'dist', 'cairn', 'models', 'm', 'train', 'model', 'model.json'), 'utf8'),
    ).toBe('{"model":"m"}');
  });

  it('explains a missing default remote', async () => {
    const root = await trackedWorkspace();
    const result = await cairn(root, 'push');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('REMOTE_NOT_CONFIGURED');
  });
});

describe('cairn cache-server', () => {
  it('refuses to start without tokens or --no-auth', async () => {
    const result = await cairn(tempDir('srv'), 'cache-server', '--port', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AUTH_REQUIRED');
  });

  it('serves the Nx cache API with a tokens file until stopped', async () => {
    const dir = tempDir('srv');
    const tokens = join(dir, 'tokens');
    writeFileSync(tokens, '# test\nread r-0123456789abcdef\nwrite w-0123456789abcdef\n');
    chmodSync(tokens, 0o600);
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    });
    try {
      const running = main([
        'node',
        'cairn',
        'cache-server',
        '--port',
        '0',
        '--storage',
        join(dir, 'store'),
        '--tokens',
        tokens,
      ]);
      await waitUntil(() => stderr.includes('"listening"'));
      const { url } = JSON.parse(stderr.split('\n').find((line) => line.includes('"listening"'))!) as {
        url: string;
      };
      const put = await fetch(`${url}/v1/cache/12345`, {
        method: 'PUT',
        headers: { Authorization: 'Bearer w-0123456789abcdef' },
        body: 'out',
      });
      expect(put.status).toBe(200);
      const denied = await fetch(`${url}/v1/cache/12346`, {
        method: 'PUT',
        headers: { Authorization: 'Bearer r-0123456789abcdef' },
        body: 'x',
      });
      expect(denied.status).toBe(403);
      const get = await fetch(`${url}/v1/cache/12345`, {
        headers: { Authorization: 'Bearer r-0123456789abcdef' },
      });
      expect(await get.text()).toBe('out');
      // The last request's log line is written once the server has finished the response.
      await waitUntil(
        () => stderr.split('\n').filter((line) => line.includes('"route":"cache"')).length >= 3,
      );
      stopCacheServers();
      expect(await running).toBe(0);
      // One JSON log line per request.
      expect(
        stderr.split('\n').filter((line) => line.includes('"route":"cache"')),
        stderr,
      ).toHaveLength(3);
    } finally {
      err.mockRestore();
    }
  });
});
