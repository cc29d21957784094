import { readJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
import { initGenerator } from './generator';

function snapshot(tree: Tree): Record<string, string> {
  return Object.fromEntries(
    tree.listChanges().map((change) => [change.path, change.content?.toString() ?? '']),
  );
}

describe('init generator', () => {
  it('registers the plugin, the cairnInputs named input, .gitignore entries and .cairn/config.json', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { skipFormat: true });
    const nxJson = readJson(tree, 'nx.json');
    expect(nxJson.plugins).toContain('@cairn/nx');
    expect(nxJson.namedInputs.cairnInputs).toEqual(['{projectRoot}/**/*', '!{projectRoot}/**/*.md']);
    expect(tree.read('.gitignore', 'utf8')).toContain('/.cairn/cache/\n');
    expect(readJson(tree, '.cairn/config.json')).toMatchObject({ version: 1, remotes: {} });
    // No link policy: the store's safe default (reflink, else copy; no inode shared with the store) applies.
    expect(readJson(tree, '.cairn/config.json').cache?.link).toBeUndefined();
  });

  it('is idempotent', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { skipFormat: true });
    const once = snapshot(tree);
    await initGenerator(tree, { skipFormat: true });
    expect(snapshot(tree)).toEqual(once);
    expect(readJson(tree, 'nx.json').plugins.filter((p: string) => p === '@cairn/nx')).toHaveLength(1);
  });

  it('in a folder with only a package.json: creates nx.json, adds the devDependencies and installs them', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.delete('nx.json');
    writeJson(tree, 'package.json', {
      name: 'fresh',
      devDependencies: { '@cairn/nx': 'file:../cairn-nx-0.1.0.tgz' },
    });
    const install = await initGenerator(tree, { skipFormat: true });
    expect(readJson(tree, 'nx.json').plugins).toEqual(['@cairn/nx']);
    const devDependencies = readJson(tree, 'package.json').devDependencies;
    // What the user installed stays as it is; what is missing gets this plugin's version.
    expect(devDependencies['@cairn/nx']).toBe('file:../cairn-nx-0.1.0.tgz');
    expect(devDependencies['@cairn/cli']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(devDependencies.nx).toMatch(/^\^2[34]\./);
    expect(typeof install).toBe('function');
    const ignored = tree.read('.gitignore', 'utf8')!.split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '/.nx', '/dist', '/.cairn/cache/']));
  });

  it('keeps an existing registration in object form and other plugins', async () => {
    const tree = createTreeWithEmptyWorkspace();
    writeJson(tree, 'nx.json', { plugins: ['@nx/js', { plugin: '@cairn/nx', options: {} }] });
    await initGenerator(tree, { skipFormat: true });
    expect(readJson(tree, 'nx.json').plugins).toEqual(['@nx/js', { plugin: '@cairn/nx', options: {} }]);
  });
});
