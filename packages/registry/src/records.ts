import Ajv, { type ErrorObject } from 'ajv';
import { registryError } from './errors';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

function describe(errors: ErrorObject[] | null | undefined): { pointer: string; problem: string } {
  const error = errors?.[0];
  const missing =
    error?.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
  return {
    pointer: missing ? `${error!.instancePath}/${missing}` : error?.instancePath || '/',
    problem: missing ? 'is required' : (error?.message ?? 'is invalid'),
  };
}

/**
 * A validator for a record stored in the registry (read back from git, so
 * untrusted): `check(value, where)` is true or throws REGISTRY_CORRUPT
 * naming the file and the JSON pointer; `matches(value)` only answers.
 */
export function compileSchema<T>(schema: object) {
  const validate = ajv.compile(schema);
  const check = (value: unknown, where: string): value is T => {
    if (validate(value)) return true;
    const { pointer, problem } = describe(validate.errors);
    throw registryError('REGISTRY_CORRUPT', `${where}: ${pointer} ${problem}`, { file: where, pointer });
  };
  return Object.assign(check, { matches: (value: unknown): value is T => validate(value) as boolean });
}

/** Parses and checks one stored JSON record. */
export function parseRecord<T>(
  text: string,
  where: string,
  check: (value: unknown, where: string) => value is T,
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw registryError('REGISTRY_CORRUPT', `${where}: not JSON (${(error as Error).message})`, {
      file: where,
      pointer: '',
    });
  }
  check(value, where);
  return value as T;
}
