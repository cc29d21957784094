import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from '../test/helpers';
import { defaultConfig, findWorkspaceRoot, initWorkspace, loadConfig, saveConfig } from './config';

describe('workspace and config', () => {
  const dirs: string[] = [];
  const workspace = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach(cleanup));

  it('init is idempotent and keeps an edited config', async () => {
    const root = workspace();
    await initWorkspace(root);
    const first = readFileSync(join(root, '.cairn', 'config.json'), 'utf8');
    expect(JSON.parse(first)).toEqual({ version: 1, cache: {}, remotes: {} });
    expect(await loadConfig(root)).toEqual(defaultConfig());
    // Reflink, else copy: no checked-out file shares an inode with the store unless the user opts in.
    expect(defaultConfig().cache.link).toEqual(['reflink', 'copy']);
    expect(readFileSync(join(root, '.cairn', '.gitignore'), 'utf8')).toMatch(/^\/cache\/$/m);
    const edited = {
      ...defaultConfig(),
      remotes: { origin: { url: 'file:///tmp/r' } },
      defaultRemote: 'origin',
    };
    await saveConfig(root, edited);
    await initWorkspace(root);
    expect(await loadConfig(root)).toEqual(edited);
  });

  it('finds the root from a nested folder, falls back to .git, and fails outside any workspace', async () => {
    const root = workspace();
    await initWorkspace(root);
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    expect(findWorkspaceRoot(join(root, 'a', 'b'))).toBe(root);
    const gitOnly = workspace();
    mkdirSync(join(gitOnly, '.git'));
    mkdirSync(join(gitOnly, 'x'));
    expect(findWorkspaceRoot(join(gitOnly, 'x'))).toBe(gitOnly);
    // An Nx workspace inside a repository, before Cairn stored anything: the nearer nx.json wins over .git.
    mkdirSync(join(gitOnly, 'nx-ws', 'apps'), { recursive: true });
    writeFileSync(join(gitOnly, 'nx-ws', 'nx.json'), '{}');
    expect(findWorkspaceRoot(join(gitOnly, 'nx-ws', 'apps'))).toBe(join(gitOnly, 'nx-ws'));
    // …and a .cairn/ anywhere above wins over both.
    await initWorkspace(gitOnly);
    expect(findWorkspaceRoot(join(gitOnly, 'nx-ws', 'apps'))).toBe(gitOnly);
    const none = workspace();
    expect(() => findWorkspaceRoot(none)).toThrow(expect.objectContaining({ code: 'STORE_NO_WORKSPACE' }));
  });

  it.each([
    ['not JSON', '{ "version": 1', ''],
    ['wrong version', { version: 2 }, '/version'],
    ['unknown link strategy', { version: 1, cache: { link: ['teleport'] } }, '/cache/link/0'],
    ['empty link list', { version: 1, cache: { link: [] } }, '/cache/link'],
    ['remote without url', { version: 1, remotes: { origin: {} } }, '/remotes/origin/url'],
    ['bad remote name', { version: 1, remotes: { 'no spaces': { url: 'x' } } }, '/remotes/no spaces'],
    [
      'unknown default remote',
      { version: 1, remotes: { a: { url: 'x' } }, defaultRemote: 'b' },
      '/defaultRemote',
    ],
    ['unknown field', { version: 1, cache: {}, remote: {} }, '/remote'],
  ])('rejects a config with %s, naming the file and JSON pointer', async (_name, value, pointer) => {
    const root = workspace();
    await initWorkspace(root);
    const file = join(root, '.cairn', 'config.json');
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    await expect(loadConfig(root)).rejects.toMatchObject({ code: 'CONFIG_INVALID', data: { file, pointer } });
    // init never overwrites a config it cannot read
    await expect(initWorkspace(root)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses to save an invalid config', async () => {
    const root = workspace();
    await initWorkspace(root);
    await expect(saveConfig(root, { ...defaultConfig(), defaultRemote: 'nope' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(await loadConfig(root)).toEqual(defaultConfig());
  });
});
