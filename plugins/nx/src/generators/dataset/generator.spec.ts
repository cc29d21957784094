import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
import { validateConfig, type DatasetConfig } from '@cairn/pipeline';
import { datasetGenerator } from './generator';

describe('dataset generator', () => {
  it('copies the data in, infers column types into dataset.json and registers the plugin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-gen-'));
    const source = join(dir, 'flowers.csv');
    writeFileSync(
      source,
      'petal,width,kind,note\n1.5,2,a,x\n2.5,3,b,\n0.5,1,a,y\n1.5,2,b,x\n2,3,a,y\n1,1,b,x\n',
    );
    const tree = createTreeWithEmptyWorkspace();
    const callback = await datasetGenerator(tree, {
      name: 'flowers',
      source,
      label: 'kind',
      skipFormat: true,
    });
    expect(typeof callback).toBe('function');
    expect(tree.read('datasets/flowers/flowers.csv', 'utf8')).toBe(
      'petal,width,kind,note\n1.5,2,a,x\n2.5,3,b,\n0.5,1,a,y\n1.5,2,b,x\n2,3,a,y\n1,1,b,x\n',
    );
    const config = validateConfig<DatasetConfig>(
      'dataset',
      readJson(tree, 'datasets/flowers/dataset.json'),
      'dataset.json',
    );
    expect(config).toMatchObject({ name: 'flowers', data: 'flowers.csv', format: 'csv', label: 'kind' });
    expect(config.validation).toEqual({
      format: 'csv',
      columns: {
        petal: { type: 'number', nullable: false, min: 0.5, max: 2.5 },
        width: { type: 'integer', nullable: false, min: 1, max: 3 },
        kind: { type: 'string', nullable: false, categories: ['a', 'b'] },
        note: { type: 'string', nullable: true, categories: ['x', 'y'] },
      },
    });
    expect(readJson(tree, 'nx.json').plugins).toContain('@cairn/nx');
  });

  it('fails with a clear error when the source does not exist', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await expect(
      datasetGenerator(tree, { name: 'x', source: '/nonexistent/data.csv', skipFormat: true }),
    ).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });
});
