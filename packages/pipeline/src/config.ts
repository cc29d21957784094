import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigInvalidError } from './errors';

export type Task = 'binary' | 'multiclass' | 'regression';

export interface GateRule {
  min?: number;
  max?: number;
  max_regression?: number;
  min_improvement?: number;
  higher_is_better?: boolean;
}

export interface ModelConfig {
  name?: string;
  description?: string;
  datasets: string[];
  dependsOn?: string[];
  label: string;
  features?: string[];
  task: Task;
  train: { command: string; env?: Record<string, string> };
  params?: Record<string, unknown>;
  seed?: number;
  validateBeforeTrain?: boolean;
  split?: { test?: number };
  cv?: number;
  env?: string[];
  gates?: Record<string, GateRule>;
  monitoring?: {
    latency_p99_ms?: number;
    error_rate?: number;
    drift_threshold?: number;
    staleness_days?: number;
    prediction_shift?: number;
  };
}

export interface DatasetConfig {
  name?: string;
  description?: string;
  license?: string;
  data: string;
  format?: 'csv' | 'json' | 'jsonl';
  label?: string;
  validation?: Record<string, unknown>;
}

export interface ExperimentConfig {
  name?: string;
  description?: string;
  model: string;
  params?: Record<string, unknown>;
  datasets?: string[];
  seed?: number;
  validateBeforeTrain?: boolean;
}

export type ConfigKind = 'model' | 'dataset' | 'experiment';
export const CONFIG_FILES: Record<ConfigKind, string> = {
  dataset: 'dataset.json',
  model: 'model.json',
  experiment: 'experiment.json',
};

export const schemaDirectory = join(__dirname, '..', 'schemas');

let ajv: import('ajv').default | undefined;
const validators: Partial<Record<ConfigKind, ValidateFunction>> = {};

/**
 * Validators compile on first use, one kind at a time, and ajv itself loads
 * only then: when the Nx plugin's inference cache is warm, nothing is
 * validated and graph creation never pays for it.
 */
function validatorFor(kind: ConfigKind): ValidateFunction {
  const cached = validators[kind];
  if (cached) return cached;
  if (!ajv) {
    const { default: AjvClass } = require('ajv') as typeof import('ajv');
    ajv = new AjvClass({ allErrors: true, strict: false, useDefaults: false });
  }
  const schema = JSON.parse(readFileSync(join(schemaDirectory, `${kind}.schema.json`), 'utf8')) as object;
  return (validators[kind] = ajv.compile(schema));
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

export function validateConfig<T>(kind: ConfigKind, value: unknown, file: string): T {
  const validate = validatorFor(kind);
  if (!validate(value)) {
    const errors = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length);
    const { pointer, problem } = describeSchemaError(errors[0]!);
    const others =
      errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    throw new ConfigInvalidError(
      file,
      pointer,
      `${problem}${others}`,
      `see the schema in @cairn/nx/schemas/${kind}.schema.json`,
    );
  }
  return value as T;
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
