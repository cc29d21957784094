import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { CairnError, cairnError } from '@cairn/errors';
import { compileWholeMatch, describePatternError, linearRegExp, PatternSyntaxError } from './linear-regexp';
import type { ColumnSpec, DatasetSpec } from './spec';

/** The published JSON Schemas; src/ and dist/ sit at the same depth, so this works in both. */
export const schemaDir = join(__dirname, '..', 'schemas');
export const datasetSpecSchemaPath = join(schemaDir, 'dataset-spec.schema.json');

let specValidator: ValidateFunction | undefined;

function compiledSpecSchema(): ValidateFunction {
  if (!specValidator) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    specValidator = ajv.compile(JSON.parse(readFileSync(datasetSpecSchemaPath, 'utf8')) as object);
  }
  return specValidator;
}

/** The dataset spec JSON Schema (draft 7), for embedding in other schemas. */
export function datasetSpecSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(datasetSpecSchemaPath, 'utf8')) as Record<string, unknown>;
}

export function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function invalid(file: string, pointer: string, problem: string, hint?: string): CairnError {
  return cairnError('DATASET_SPEC_INVALID', `${file}: ${pointer || '(root)'} ${problem}`, {
    data: { file, pointer },
    hint:
      hint ??
      'see docs/validation.md or packages/validate/schemas/dataset-spec.schema.json for the valid fields',
  });
}

/** A pattern the engine refused, as a coded error naming the spec field; other errors pass through. */
export function patternError(file: string, pointer: string, error: unknown): CairnError {
  if (!(error instanceof PatternSyntaxError)) throw error;
  const where = pointer.endsWith('/pattern')
    ? pointer
    : `${pointer} pattern ${JSON.stringify(error.pattern)}`;
  return cairnError(
    error.unsupported ? 'DATASET_SPEC_PATTERN_UNSUPPORTED' : 'DATASET_SPEC_INVALID',
    `${file}: ${where} ${describePatternError(error)}`,
    {
      data: { file, pointer },
      hint: 'patterns use the RE2 dialect (docs/validation.md#patterns); rewrite it without backreferences or lookaround',
    },
  );
}

/**
 * Compiles a spec's `rowSchema` with Ajv; its `pattern` and
 * `patternProperties` run on the linear-time engine, like column patterns.
 */
export function compileRowSchema(schema: unknown): ValidateFunction {
  return new Ajv({
    allErrors: false,
    strict: false,
    allowUnionTypes: true,
    code: { regExp: linearRegExp },
  }).compile(schema as object);
}

/** The most specific Ajv error, phrased as "<pointer> <what is wrong / what would be valid>". */
function describeSchemaError(errors: ErrorObject[]): { pointer: string; problem: string } {
  // oneOf reports every branch plus a summary; the branch errors are more useful, the deepest first.
  const ranked = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const error = ranked.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'if') ?? ranked[0]!;
  const params = error.params as Record<string, unknown>;
  let pointer = error.instancePath;
  let problem = error.message ?? 'is invalid';
  // Errors raised by a `propertyNames` schema are about a key, not a value.
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const allowed =
      error.keyword === 'enum'
        ? `; must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
        : '';
    return {
      pointer: `${pointer}/${pointerToken(propertyName)}`,
      problem: `is not an allowed name${allowed}`,
    };
  }
  switch (error.keyword) {
    case 'required':
      pointer += `/${pointerToken(String(params.missingProperty))}`;
      problem = 'is required';
      break;
    case 'additionalProperties':
      pointer += `/${pointerToken(String(params.additionalProperty))}`;
      problem = 'is not an allowed field';
      break;
    case 'enum':
      problem = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'propertyNames':
      pointer += `/${pointerToken(String(params.propertyName))}`;
      problem = 'is not an allowed name';
      break;
    case 'type':
      problem = `must be of type ${Array.isArray(params.type) ? params.type.join(' or ') : String(params.type)}`;
      break;
    default:
      problem = `${problem}`;
  }
  return { pointer, problem };
}

const NUMERIC = new Set(['number', 'integer']);
const TEMPORAL = new Set(['date', 'datetime']);

function checkColumn(file: string, base: string, column: ColumnSpec): void {
  const type = column.type ?? 'string';
  for (const bound of ['min', 'max'] as const) {
    const value = column[bound];
    if (value === undefined) continue;
    const pointer = `${base}/${bound}`;
    if (NUMERIC.has(type)) {
      if (typeof value !== 'number') throw invalid(file, pointer, `must be a number for a ${type} column`);
    } else if (TEMPORAL.has(type)) {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw invalid(
          file,
          pointer,
          `must be an ISO 8601 date string (e.g. "2024-01-31") for a ${type} column`,
        );
      }
    } else {
      throw invalid(
        file,
        pointer,
        `applies to number, integer, date or datetime columns, not ${type} (use minLength/maxLength for strings)`,
      );
    }
  }
  if (column.min !== undefined && column.max !== undefined) {
    const min = typeof column.min === 'number' ? column.min : Date.parse(column.min);
    const max = typeof column.max === 'number' ? column.max : Date.parse(column.max);
    if (min > max)
      throw invalid(file, `${base}/max`, `(${String(column.max)}) must be ≥ min (${String(column.min)})`);
  }
  if (
    column.minLength !== undefined &&
    column.maxLength !== undefined &&
    column.minLength > column.maxLength
  ) {
    throw invalid(
      file,
      `${base}/maxLength`,
      `(${column.maxLength}) must be ≥ minLength (${column.minLength})`,
    );
  }
  checkDistribution(file, base, column, type);
  if (column.pattern !== undefined) {
    try {
      compileWholeMatch(column.pattern);
    } catch (error) {
      throw patternError(file, `${base}/pattern`, error);
    }
  }
}

function checkDistribution(file: string, base: string, column: ColumnSpec, type: string): void {
  const distribution = column.distribution;
  const pointer = `${base}/distribution`;
  if (distribution?.kind === 'normal') {
    if (!NUMERIC.has(type) || column.categories)
      throw invalid(
        file,
        pointer,
        `normal applies to number or integer columns without categories, not ${type}`,
      );
    const { mean } = distribution;
    if (
      (typeof column.min === 'number' && mean < column.min) ||
      (typeof column.max === 'number' && mean > column.max)
    )
      throw invalid(file, `${pointer}/mean`, `(${mean}) must lie within min–max`);
  }
  if (distribution?.kind === 'categorical') {
    const categories = new Set((column.categories ?? []).map(String));
    if (categories.size === 0)
      throw invalid(file, pointer, 'categorical weights need the column to list its `categories`');
    for (const name of Object.keys(distribution.weights)) {
      if (!categories.has(name))
        throw invalid(
          file,
          `${pointer}/weights/${pointerToken(name)}`,
          `is not one of the column's categories (${[...categories].join(', ')})`,
        );
    }
    if (!Object.values(distribution.weights).some((weight) => weight > 0))
      throw invalid(file, `${pointer}/weights`, 'must give at least one category a weight above 0');
  }
}

/**
 * Checks a dataset spec (the `validation` section of dataset.json) against the
 * schema and for consistency; throws `DATASET_SPEC_INVALID` naming `file` and
 * the JSON pointer of the bad field. `pointerPrefix` is where the section sits
 * in the file (e.g. "/validation").
 */
export function parseDatasetSpec(
  json: unknown,
  file: string,
  options: { pointerPrefix?: string } = {},
): DatasetSpec {
  const prefix = options.pointerPrefix ?? '';
  const validate = compiledSpecSchema();
  if (!validate(json)) {
    const { pointer, problem } = describeSchemaError(validate.errors ?? []);
    throw invalid(file, prefix + pointer, problem);
  }
  const spec = json as DatasetSpec;
  for (const [name, column] of Object.entries(spec.columns ?? {})) {
    checkColumn(file, `${prefix}/columns/${pointerToken(name)}`, column);
  }
  if (spec.rows?.min !== undefined && spec.rows.max !== undefined && spec.rows.min > spec.rows.max) {
    throw invalid(file, `${prefix}/rows/max`, `(${spec.rows.max}) must be ≥ rows.min (${spec.rows.min})`);
  }
  const balance = spec.label?.balance;
  if (
    balance?.minShare !== undefined &&
    balance.maxShare !== undefined &&
    balance.minShare > balance.maxShare
  ) {
    throw invalid(
      file,
      `${prefix}/label/balance/maxShare`,
      `(${balance.maxShare}) must be ≥ minShare (${balance.minShare})`,
    );
  }
  if (spec.csv?.header === false && Object.keys(spec.columns ?? {}).length === 0) {
    throw invalid(file, `${prefix}/columns`, 'must list the columns in file order when csv.header is false');
  }
  if (spec.rowSchema !== undefined) {
    try {
      compileRowSchema(spec.rowSchema);
    } catch (error) {
      if (error instanceof PatternSyntaxError) throw patternError(file, `${prefix}/rowSchema`, error);
      throw invalid(file, `${prefix}/rowSchema`, `is not a valid JSON Schema: ${(error as Error).message}`);
    }
  }
  return spec;
}

/**
 * Reads a dataset.json and returns its spec: the `validation` section when the
 * file has one, else the whole file (a standalone spec file).
 */
export async function loadDatasetSpec(file: string): Promise<DatasetSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw cairnError(
      'DATASET_SPEC_NOT_FOUND',
      `${file}: cannot read the dataset spec (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        data: { file },
        hint: 'pass the dataset.json holding a "validation" section',
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw cairnError('DATASET_SPEC_INVALID', `${file}: not valid JSON (${(error as Error).message})`, {
      data: { file, pointer: '' },
    });
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'validation' in json) {
    return parseDatasetSpec((json as { validation: unknown }).validation, file, {
      pointerPrefix: '/validation',
    });
  }
  return parseDatasetSpec(json, file);
}
