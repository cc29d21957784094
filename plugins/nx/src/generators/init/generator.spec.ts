import { readJson, type Tree } from '@nx/devkit';
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
    expect(tree.read('.gitignore', 'utf8')).toContain('/.cairn/cache\n');
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
});
