import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, git, tempDir, writeTree } from '../test/helpers';
import { add, checkout, gc, initWorkspace, listObjectIds, referencedObjects } from './index';

const dirs: string[] = [];
async function workspace(): Promise<string> {
  const root = tempDir('cairn-gc-');
  dirs.push(root);
  await initWorkspace(root);
  return root;
}
afterEach(() => dirs.splice(0).forEach(cleanup));
const objects = (root: string) => listObjectIds(join(root, '.cairn', 'cache'));

describe('gc', () => {
  it('keeps what working-tree pointers reference; dry-run removes nothing', async () => {
    const root = await workspace();
    writeTree(join(root, 'keep'), 5, 1);
    writeTree(join(root, 'drop'), 5, 2);
    writeFileSync(
      join(root, 'shared.txt'),
      readFileSync(join(root, 'keep', 'part-0', 'group-0', 'file-0.bin')),
    );
    const [keep] = await add(root, ['keep']);
    const [drop] = await add(root, ['drop']);
    await add(root, ['shared.txt']);
    const keepIds = await referencedObjects(root, [keep!]);
    const dropIds = await referencedObjects(root, [drop!]);
    unlinkSync(join(root, 'drop.cairn'));
    const all = await objects(root);
    expect(all).toHaveLength(12);

    const dry = await gc(root, { dryRun: true });
    expect(dry.removed.sort()).toEqual(dropIds);
    expect(dry.kept).toBe(6);
    expect(dry.freedBytes).toBeGreaterThan(5 * 1024);
    expect(await objects(root)).toEqual(all);

    const real = await gc(root);
    expect(real.removed.sort()).toEqual(dropIds);
    expect(await objects(root)).toEqual(keepIds);
    rmSync(join(root, 'keep'), { recursive: true });
    await checkout(root, ['keep']);
    expect((await gc(root)).removed).toEqual([]);
  });

  it('with allRefs keeps objects referenced on any branch or tag, read from git without checkout', async () => {
    const root = await workspace();
    git(root, 'init', '-q', '-b', 'main');
    writeFileSync(join(root, 'v.txt'), 'version one');
    const [v1] = await add(root, ['v.txt']);
    git(root, 'add', 'v.txt.cairn', '.gitignore');
    git(root, 'commit', '-q', '-m', 'v1');
    git(root, 'tag', 'release-1');
    writeFileSync(join(root, 'v.txt'), 'version two');
    const [v2] = await add(root, ['v.txt']);
    git(root, 'commit', '-q', '-am', 'v2');
    git(root, 'checkout', '-q', '-b', 'experiment');
    writeFileSync(join(root, 'v.txt'), 'version three');
    const [v3] = await add(root, ['v.txt']);
    git(root, 'commit', '-q', '-am', 'v3');
    git(root, 'checkout', '-q', 'main');
    // v4 only ever existed in the working tree and was replaced: garbage everywhere.
    writeFileSync(join(root, 'v.txt'), 'version four');
    await add(root, ['v.txt']);
    git(root, 'checkout', '-q', '--', 'v.txt.cairn');
    // A malformed pointer committed in history keeps nothing alive but does not stop gc.
    writeFileSync(join(root, 'bad.cairn'), '{"version": 1}');
    git(root, 'add', 'bad.cairn');
    git(root, 'commit', '-q', '-m', 'bad');
    unlinkSync(join(root, 'bad.cairn'));
    expect(await objects(root)).toHaveLength(4);

    const result = await gc(root, { allRefs: true, dryRun: true });
    expect(result.removed).toHaveLength(1);
    expect(result.refs).toEqual(
      expect.arrayContaining(['HEAD', 'refs/heads/main', 'refs/heads/experiment', 'refs/tags/release-1']),
    );
    expect(result.invalidGitPointers).toEqual([expect.objectContaining({ source: 'HEAD:bad.cairn' })]);
    await gc(root, { allRefs: true });
    expect(await objects(root)).toEqual([v1!.hash, v2!.hash, v3!.hash].sort());
    // Without allRefs only the working tree's pointer (v2, on main) survives.
    await gc(root);
    expect(await objects(root)).toEqual([v2!.hash]);
  });

  it('fails clearly with allRefs outside a git repository and removes nothing', async () => {
    const root = await workspace();
    writeFileSync(join(root, 'a.txt'), 'a');
    await add(root, ['a.txt']);
    unlinkSync(join(root, 'a.txt.cairn'));
    await expect(gc(root, { allRefs: true })).rejects.toMatchObject({ code: 'GC_GIT_UNREADABLE' });
    expect(await objects(root)).toHaveLength(1);
  });
});
