import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, type ModelConfig } from '@cairn/pipeline';
import { modelGenerator } from './generator';

function treeWithDataset() {
  const tree = createTreeWithEmptyWorkspace();
  tree.write(
    'datasets/iris/dataset.json',
    JSON.stringify({
      data: 'iris.csv',
      label: 'species',
      validation: { columns: { species: { type: 'string', categories: ['a', 'b', 'c'] } } },
    }),
  );
  tree.write(
    'datasets/cancer/dataset.json',
    JSON.stringify({
      name: 'cancer',
      data: 'c.csv',
      validation: { columns: { diagnosis: { type: 'string', categories: ['benign', 'malignant'] } } },
    }),
  );
  return tree;
}

describe('model generator', () => {
  it('scaffolds a TypeScript model whose model.json passes the model schema', async () => {
    const tree = treeWithDataset();
    await modelGenerator(tree, {
      name: 'iris-knn',
      dataset: 'iris',
      template: 'ts',
      algorithm: 'knn',
      skipFormat: true,
    });
    const files = tree
      .listChanges()
      .map((change) => change.path)
      .filter((path) => path.startsWith('models/'))
      .sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'models/iris-knn/model.json',
        'models/iris-knn/model.spec.mjs',
        'models/iris-knn/predict.cjs',
        'models/iris-knn/train.mjs',
        'models/iris-knn/vitest.config.mjs',
      ]),
    );
    expect(files.some((file) => file.endsWith('.template'))).toBe(false);
    const config = validateConfig<ModelConfig>(
      'model',
      readJson(tree, 'models/iris-knn/model.json'),
      'models/iris-knn/model.json',
    );
    expect(config).toMatchObject({
      datasets: ['iris'],
      label: 'species',
      task: 'multiclass',
      train: { command: 'node train.mjs' },
    });
    expect(config.params).toMatchObject({ algorithm: 'knn' });
  });

  it('scaffolds a Python model run with Debian python3 and infers a binary task from two label categories', async () => {
    const tree = treeWithDataset();
    await modelGenerator(tree, {
      name: 'cancer-py',
      dataset: 'cancer',
      template: 'python',
      label: 'diagnosis',
      skipFormat: true,
    });
    const config = readJson(tree, 'models/cancer-py/model.json');
    expect(config.train.command).toBe('/usr/bin/python3 train.py');
    // Tests beside the code, run by the inferred `test` target: unittest, or pytest when installed.
    expect(tree.exists('models/cancer-py/test_model.py')).toBe(true);
    expect(config.test.command).toMatch(
      /^\/usr\/bin\/python3 -B -m (unittest test_model|pytest .*test_model\.py)$/,
    );
    expect(config.task).toBe('binary');
    expect(tree.exists('models/cancer-py/predict.py')).toBe(true);
  });

  it('names the known datasets when the dataset does not exist, and writes nothing', async () => {
    const tree = treeWithDataset();
    await expect(
      modelGenerator(tree, { name: 'x', dataset: 'irsi', skipFormat: true }),
    ).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
      hint: 'known datasets: cancer, iris',
    });
    expect(tree.listChanges().some((change) => change.path.startsWith('models/'))).toBe(false);
  });

  it('adds every package the TypeScript template imports to package.json, and none for Python', async () => {
    const tree = treeWithDataset();
    const install = await modelGenerator(tree, {
      name: 'iris-forest',
      dataset: 'iris',
      template: 'ts',
      skipFormat: true,
    });
    const dependencies = readJson(tree, 'package.json').dependencies;
    const code = ['train.mjs', 'predict.cjs']
      .map((file) => tree.read(`models/iris-forest/${file}`, 'utf8')!)
      .join('\n');
    // The oracle: the bare package names the template's code actually imports or requires.
    const imported = new Set(
      [...code.matchAll(/(?:from |requireLibrary\(|require\()'([^'.][^']*)'/g)]
        .map((match) => match[1]!.split('/')[0]!)
        .filter((name) => !name.startsWith('node:')),
    );
    expect(Object.keys(dependencies).sort()).toEqual([...imported].sort());
    // The generated tests run with vitest, a development dependency.
    expect(readJson(tree, 'package.json').devDependencies).toHaveProperty('vitest');
    expect(readJson(tree, 'models/iris-forest/model.json').test).toEqual({ command: 'npx --no vitest run' });
    expect(typeof install).toBe('function');

    const before = tree.read('package.json', 'utf8');
    await modelGenerator(tree, { name: 'iris-sk', dataset: 'iris', template: 'python', skipFormat: true });
    expect(tree.read('package.json', 'utf8')).toBe(before);
  });

  it("asks for the template packages' versions this repository trains its examples with", () => {
    const root = join(__dirname, '..', '..', '..', '..', '..');
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const wanted = JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'templates', 'model-ts', 'dependencies.json'), 'utf8'),
    ).dependencies as Record<string, string>;
    for (const [name, range] of Object.entries(wanted)) {
      const installed = lock.packages[`node_modules/${name}`]?.version as string;
      expect(installed, name).toBeTruthy();
      expect(range, name).toBe(`^${range.slice(1)}`);
      expect(installed.split('.')[0], name).toBe(range.slice(1).split('.')[0]);
    }
  });
});
