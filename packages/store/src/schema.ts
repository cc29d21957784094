import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import * as validators from './generated/validators';

/** The published JSON Schemas; src/ and dist/ sit at the same depth, so this works in both. */
export const schemaDir = join(__dirname, '..', 'schemas');

interface Validator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * Compiled at build time (tools/codegen/store-validators.mjs, ajv standalone
 * code): compiling the two schemas cost more than the status check the Nx
 * plugin runs before every task, and the compiler never loads now.
 */
function validator(name: 'pointer' | 'config'): Validator {
  return validators[name] as Validator;
}

export interface SchemaProblem {
  /** JSON pointer of the offending field ('' = the whole document). */
  pointer: string;
  message: string;
}

/** The most useful problem: a field-level one rather than the if/then/not wrapper Ajv also reports. */
function toProblem(errors: ErrorObject[]): SchemaProblem {
  const specific = errors.filter((error) => error.keyword !== 'if');
  const error = specific[0] ?? errors[0]!;
  let pointer = error.instancePath;
  let message = error.message ?? 'is invalid';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    pointer += `/${String(params.missingProperty)}`;
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer += `/${String(params.additionalProperty)}`;
    message = 'is not an allowed field';
  } else if (error.keyword === 'false schema') {
    message = 'is not allowed here';
  } else if (error.keyword === 'const') {
    message = `must be ${JSON.stringify(params.allowedValue)}`;
  } else if (error.keyword === 'enum') {
    message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.propertyName !== undefined) {
    pointer += `/${error.propertyName}`;
    message = 'is not a valid name (letters, digits, ".", "_", "-")';
  }
  return { pointer, message };
}

/** Validates `value`; returns undefined when valid, else the first problem with its JSON pointer. */
export function schemaProblem(name: 'pointer' | 'config', value: unknown): SchemaProblem | undefined {
  const validate = validator(name);
  if (validate(value)) return undefined;
  return toProblem(validate.errors ?? []);
}
