import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/errors';
import { datasetSpecSchema, loadDatasetSpec, parseDatasetSpec } from './parse-spec';
import { RULE_KINDS, PII_KINDS } from './spec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-spec-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function failure(json: unknown, file = 'data/iris/dataset.json'): CairnError {
  try {
    parseDatasetSpec(json, file);
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseDatasetSpec', () => {
  it('accepts a full spec and returns it', () => {
    const spec = {
      format: 'csv',
      columns: {
        id: { type: 'integer', unique: true, severity: { unique: 'warning' } },
        y: { categories: ['a', 'b'] },
      },
      key: ['id'],
      rows: { min: 1, max: 10 },
      label: { column: 'y', balance: { minShare: 0.1, maxShare: 0.9 } },
      rowSchema: { type: 'object' },
      pii: { scan: true, columns: ['y'], kinds: ['email'], severity: 'warning' },
      severity: { default: 'error', rules: { range: 'warning', pii: 'off' } },
    };
    expect(parseDatasetSpec(spec, 'dataset.json')).toBe(spec);
  });

  it.each([
    [{ format: 'xlsx' }, '/format', 'must be one of "csv", "json", "jsonl"'],
    [{ columns: { 'a/b': { type: 'float' } } }, '/columns/a~1b/type', 'must be one of'],
    [{ columns: { a: { nullable: 'no' } } }, '/columns/a/nullable', 'must be of type boolean'],
    [{ columns: { a: { typo: 1 } } }, '/columns/a/typo', 'is not an allowed field'],
    [{ rows: { min: -1 } }, '/rows/min', 'must be >= 0'],
    [{ label: { balance: { minShare: 0.1 } } }, '/label/column', 'is required'],
    [{ label: { column: 'y', balance: { maxShare: 2 } } }, '/label/balance/maxShare', 'must be <= 1'],
    [
      { severity: { rules: { ranges: 'warning' } } },
      '/severity/rules/ranges',
      'is not an allowed name; must be one of "format"',
    ],
    [
      { severity: { rules: { range: 'fatal' } } },
      '/severity/rules/range',
      'must be one of "error", "warning", "off"',
    ],
    [{ columns: { a: { type: 'number', min: '0' } } }, '/columns/a/min', 'must be a number'],
    [{ columns: { a: { type: 'string', max: 3 } } }, '/columns/a/max', 'use minLength'],
    [{ columns: { a: { type: 'date', min: 'yesterday' } } }, '/columns/a/min', 'ISO 8601'],
    [{ columns: { a: { type: 'number', min: 5, max: 1 } } }, '/columns/a/max', 'must be ≥ min'],
    [{ columns: { a: { pattern: '([' } } }, '/columns/a/pattern', 'not a valid regular expression'],
    [{ rows: { min: 5, max: 1 } }, '/rows/max', 'must be ≥ rows.min'],
    [{ csv: { header: false } }, '/columns', 'must list the columns'],
    [{ rowSchema: { type: 'nonsense' } }, '/rowSchema', 'not a valid JSON Schema'],
  ])('rejects %j at %s', (json, pointer, problem) => {
    const error = failure(json);
    expect(error.code).toBe('DATASET_SPEC_INVALID');
    expect(error.data).toEqual({ file: 'data/iris/dataset.json', pointer });
    expect(error.message).toContain('data/iris/dataset.json');
    expect(error.message).toContain(pointer);
    expect(error.message).toContain(problem);
  });

  it('the published schema lists exactly the rule and PII kinds the code knows', () => {
    const schema = datasetSpecSchema() as { definitions: Record<string, { enum: string[] }> };
    expect(schema.definitions.ruleKind!.enum).toEqual([...RULE_KINDS]);
    expect(schema.definitions.piiKind!.enum).toEqual([...PII_KINDS]);
    expect(new Ajv({ strict: true, allowUnionTypes: true }).validateSchema(schema)).toBe(true);
  });
});

describe('loadDatasetSpec', () => {
  it('reads the validation section of a dataset.json and prefixes pointers with it', async () => {
    const file = path.join(tmp, 'dataset.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ data: 'raw.csv', validation: { columns: { a: { type: 'number' } } } }),
    );
    await expect(loadDatasetSpec(file)).resolves.toEqual({ columns: { a: { type: 'number' } } });
    fs.writeFileSync(
      file,
      JSON.stringify({ data: 'raw.csv', validation: { columns: { a: { type: 'num' } } } }),
    );
    await expect(loadDatasetSpec(file)).rejects.toMatchObject({
      code: 'DATASET_SPEC_INVALID',
      data: { file, pointer: '/validation/columns/a/type' },
    });
  });

  it('reads a standalone spec file; bad JSON and missing files have their own codes', async () => {
    const file = path.join(tmp, 'spec.json');
    fs.writeFileSync(file, JSON.stringify({ rows: { min: 1 } }));
    await expect(loadDatasetSpec(file)).resolves.toEqual({ rows: { min: 1 } });
    fs.writeFileSync(file, '{ nope');
    await expect(loadDatasetSpec(file)).rejects.toMatchObject({ code: 'DATASET_SPEC_INVALID' });
    await expect(loadDatasetSpec(path.join(tmp, 'missing.json'))).rejects.toMatchObject({
      code: 'DATASET_SPEC_NOT_FOUND',
    });
  });
});
