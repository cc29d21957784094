import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { MANIFEST_SCHEMA_PATH, readModelManifest } from './manifest';
import { tempDir, writeNodeModel } from '../test/fixtures';

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isCairnError(error)) return { code: error.code, message: error.message, data: error.data };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('readModelManifest', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  function writeManifest(value: unknown): string {
    const dir = join(tmp.dir, 'artifact');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cairn-model.json'), typeof value === 'string' ? value : JSON.stringify(value));
    return dir;
  }

  const valid = {
    runtime: 'node',
    entry: 'predict.cjs',
    task: 'multiclass',
    label: 'species',
    labels: ['setosa', 'versicolor', 'virginica'],
    features: [
      { name: 'sepal_length', type: 'number' },
      { name: 'island', type: 'string' },
    ],
  };

  it('reads the manifest of the model contract', async () => {
    const manifest = await readModelManifest(writeManifest(valid));
    expect(manifest).toEqual(valid);
    expect((await readModelManifest(writeNodeModel(tmp.dir))).runtime).toBe('node');
  });

  it('names the file when it is missing or not JSON', async () => {
    const missing = await failure(readModelManifest(join(tmp.dir, 'nowhere')));
    expect(missing.code).toBe('MODEL_MANIFEST_NOT_FOUND');
    expect(missing.message).toContain(join(tmp.dir, 'nowhere', 'cairn-model.json'));
    const broken = await failure(readModelManifest(writeManifest('{"runtime": ')));
    expect(broken.code).toBe('MODEL_MANIFEST_INVALID_JSON');
  });

  it.each([
    [{ ...valid, runtime: undefined }, '/runtime'],
    [{ ...valid, runtime: 'ruby' }, '/runtime'],
    [{ ...valid, features: [{ name: 'a', type: 'float' }] }, '/features/0/type'],
    [{ ...valid, features: [{ type: 'number' }] }, '/features/0/name'],
    [{ ...valid, entry: '../outside.cjs' }, '/entry'],
    [{ ...valid, features: [valid.features[0], valid.features[0]] }, '/features/1/name'],
    [{ ...valid, labels: undefined }, '/labels'],
  ])('rejects an invalid manifest with the JSON pointer (%#)', async (manifest, pointer) => {
    const error = await failure(readModelManifest(writeManifest(manifest)));
    expect(error.code).toBe('MODEL_MANIFEST_INVALID');
    expect(error.data.pointer).toBe(pointer);
    expect(error.message).toContain('cairn-model.json');
    expect(error.message).toContain(pointer);
  });

  it('accepts a regression model without labels', async () => {
    const manifest = await readModelManifest(
      writeManifest({ ...valid, task: 'regression', labels: undefined }),
    );
    expect(manifest.task).toBe('regression');
  });

  it('publishes a draft-07 schema that the package exports', () => {
    const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strict: true, strictTypes: false });
    expect(ajv.validateSchema(schema)).toBe(true);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(pkg.exports['./schemas/model-manifest.schema.json']).toBe('./schemas/model-manifest.schema.json');
    expect(pkg.files).toContain('schemas');
  });
});
