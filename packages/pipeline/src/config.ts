import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { GateRule } from '@cairn/evaluation';
import { ConfigInvalidError } from './errors';
import type { MonitoringConfig } from '@cairn/monitoring';
import type { ModelConfig } from './generated/config-types';

/** The config types are generated from the JSON Schemas in ../schemas (tools/codegen/schema-types.mjs). */
export type { DatasetConfig, DeploySpec, ExperimentConfig, ModelConfig } from './generated/config-types';
export type { GateRule, MonitoringConfig };
export type Task = ModelConfig['task'];

export type ConfigKind = 'model' | 'dataset' | 'experiment';
export const CONFIG_FILES: Record<ConfigKind, string> = {
  dataset: 'dataset.json',
  model: 'model.json',
  experiment: 'experiment.json',
};

export const schemaDirectory = join(__dirname, '..', 'schemas');

let ajv: import('ajv').default | undefined;
const validators = new Map<string, ValidateFunction>();

/** A model.json field checked on its own, against its sub-schema in model.schema.json. */
type ModelField = 'monitoring' | 'gates';

/**
 * Validators compile on first use, one at a time, and ajv itself loads
 * only then: when the Nx plugin's inference cache is warm, nothing is
 * validated and graph creation never pays for it.
 */
function validatorFor(kind: ConfigKind, field?: ModelField): ValidateFunction {
  const key = field ? `${kind}#${field}` : kind;
  const cached = validators.get(key);
  if (cached) return cached;
  if (!ajv) {
    const { default: AjvClass } = require('ajv') as typeof import('ajv');
    ajv = new AjvClass({ allErrors: true, strict: false, useDefaults: false });
  }
  const schema = JSON.parse(readFileSync(join(schemaDirectory, `${kind}.schema.json`), 'utf8')) as {
    properties: Record<string, object>;
  };
  const validate = ajv.compile(field ? schema.properties[field]! : schema);
  validators.set(key, validate);
  return validate;
}

/** The most useful single message for a set of ajv errors: deepest first, with allowed values spelled out. */
export function describeSchemaError(error: ErrorObject): { pointer: string; problem: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    return {
      pointer: `${error.instancePath}/${String(params.additionalProperty)}`,
      problem: 'is not a known field',
    };
  }
  if (error.keyword === 'required') {
    return { pointer: `${error.instancePath}/${String(params.missingProperty)}`, problem: 'is required' };
  }
  if (error.keyword === 'enum') {
    return {
      pointer: error.instancePath,
      problem: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`,
    };
  }
  return { pointer: error.instancePath, problem: error.message ?? 'is invalid' };
}

/** `at` is the JSON pointer of the checked value in its file (default: the field's place in model.json). */
function check(
  kind: ConfigKind,
  value: unknown,
  file: string,
  field?: ModelField,
  at = field ? `/${field}` : '',
): void {
  const validate = validatorFor(kind, field);
  if (validate(value)) return;
  const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const { pointer, problem } = describeSchemaError(errors[0]!);
  const others =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  throw new ConfigInvalidError(
    file,
    `${at}${pointer}`,
    `${problem}${others}`,
    `see the schema in @cairn/nx/schemas/${kind}.schema.json`,
  );
}

export function validateConfig<T>(kind: ConfigKind, value: unknown, file: string): T {
  check(kind, value, file);
  return value as T;
}

/**
 * The `monitoring` block of a model.json checked on its own (the same
 * sub-schema, so the same bounds): `cairn monitor --model` accepts a
 * model.json outside a workspace, which needs only this block.
 */
export function validateMonitoring(value: unknown, file: string): MonitoringConfig | undefined {
  if (value === undefined) return undefined;
  check('model', value, file, 'monitoring');
  return value as MonitoringConfig;
}

/**
 * Gate rules read on their own (a `--rules` file of `cairn compare`), checked
 * against model.json's `gates` sub-schema; `at` is where they sit in `file`
 * ('' for a file of rules, '/gates' inside a model.json).
 */
export function validateGates(value: unknown, file: string, at: string): Record<string, GateRule> {
  check('model', value, file, 'gates', at);
  return value as Record<string, GateRule>;
}

export function parseConfig<T>(kind: ConfigKind, text: string, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalidError(file, '', `is not valid JSON: ${(error as Error).message}`);
  }
  return validateConfig<T>(kind, value, file);
}

export async function readConfig<T>(kind: ConfigKind, file: string, displayName = file): Promise<T> {
  return parseConfig<T>(kind, await readFile(file, 'utf8'), displayName);
}
