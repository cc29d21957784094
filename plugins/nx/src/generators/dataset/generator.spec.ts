import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger, readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { validateConfig, type DatasetConfig } from '@cairn/pipeline';
import { datasetGenerator } from './generator';

describe('dataset generator', () => {
  it('copies the data in, infers column types into dataset.json and registers the plugin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-gen-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
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

  it('refuses a --label that is not a column, listing the columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-gen-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const source = join(dir, 'flowers.csv');
    writeFileSync(source, 'petal,width,kind\n1.5,2,a\n2.5,3,b\n');
    const tree = createTreeWithEmptyWorkspace();
    const failure = await datasetGenerator(tree, {
      name: 'flowers',
      source,
      label: 'Kind',
      skipFormat: true,
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'LABEL_NOT_A_COLUMN',
      data: { label: 'Kind', file: 'flowers.csv', columns: ['petal', 'width', 'kind'] },
    });
    expect((failure as Error).message).toBe(
      '--label "Kind" is not a column of flowers.csv; its columns: petal, width, kind',
    );
  });

  it.each([
    ['a,b categories', 'x,y\n1,a\n2,b\n3,a\n4,b\n', 'binary', '2 classes (a, b)'],
    ['three categories', 'x,y\n1,a\n2,b\n3,c\n4,a\n5,b\n6,c\n', 'multiclass', '3 classes (a, b, c)'],
    ['integers 0/1', 'x,y\n1,0\n2,1\n3,0\n', 'binary', 'integers 0 and 1'],
    ['integer ids 0-2', 'x,y\n1,0\n2,1\n3,2\n', 'multiclass', 'integer class ids 0–2'],
    ['real numbers', 'x,y\n1,0.5\n2,1.25\n3,7\n', 'regression', 'a numeric column (number)'],
    ['integers 0-99', 'x,y\n1,0\n2,99\n3,50\n', 'regression', 'a numeric column (integer)'],
  ])('prints the task it infers from the label (%s)', async (_, csv, task, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-gen-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const source = join(dir, 'd.csv');
    writeFileSync(source, csv);
    const printed: string[] = [];
    const spy = vi.spyOn(logger, 'info').mockImplementation((message) => void printed.push(String(message)));
    try {
      await datasetGenerator(createTreeWithEmptyWorkspace(), {
        name: 'd',
        source,
        label: 'y',
        skipFormat: true,
      });
    } finally {
      spy.mockRestore();
    }
    expect(printed).toContain(
      `Label "y": ${reason}, so the task is ${task} (a model can override it with --task).`,
    );
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
