import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { cairnError } from '@cairn/errors';

export const MANIFEST_FILE = 'cairn-model.json';

export type FeatureType = 'number' | 'string';
export type ModelTask = 'binary' | 'multiclass' | 'regression';

export interface FeatureSpec {
  name: string;
  type: FeatureType;
}

/** The artifact manifest `cairn-model.json` (docs/model-contract.md). */
export interface ModelManifest {
  runtime: 'node' | 'python';
  entry: string;
  task: ModelTask;
  label?: string;
  labels?: Array<string | number>;
  features: FeatureSpec[];
}

export type Row = Record<string, number | string>;

export interface Prediction {
  label: string | number;
  probabilities?: number[];
}

/** The JSON schema file published with this package (`@cairn/serve/schemas/model-manifest.schema.json`). */
export const MANIFEST_SCHEMA_PATH = join(__dirname, '..', 'schemas', 'model-manifest.schema.json');

let validator: ValidateFunction | undefined;

function manifestValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'required')
    return `missing required property "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum') {
    return `${error.message ?? 'invalid value'}: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return error.message ?? 'is invalid';
}

/**
 * Checks an already-parsed manifest. `file` only names the source in errors.
 * Beyond the schema: feature names are unique and classification models list
 * their labels.
 */
export function parseModelManifest(value: unknown, file = MANIFEST_FILE): ModelManifest {
  const validate = manifestValidator();
  if (!validate(value)) {
    const first = validate.errors?.[0];
    const pointer =
      first?.keyword === 'required'
        ? `${first.instancePath}/${String(first.params.missingProperty)}`
        : (first?.instancePath ?? '');
    throw cairnError(
      'MODEL_MANIFEST_INVALID',
      `${file}: ${pointer || '/'} ${first ? describe(first) : 'is invalid'}`,
      {
        data: {
          file,
          pointer: pointer || '/',
          errors: validate.errors?.map((e) => ({ pointer: e.instancePath, message: describe(e) })),
        },
        hint: 'see docs/model-contract.md for the cairn-model.json fields',
      },
    );
  }
  const manifest = value as ModelManifest;
  const seen = new Set<string>();
  manifest.features.forEach((feature, index) => {
    if (seen.has(feature.name)) {
      throw cairnError(
        'MODEL_MANIFEST_INVALID',
        `${file}: /features/${index}/name "${feature.name}" is listed twice`,
        {
          data: { file, pointer: `/features/${index}/name` },
          hint: 'feature names must be unique',
        },
      );
    }
    seen.add(feature.name);
  });
  if (manifest.task !== 'regression' && (!manifest.labels || manifest.labels.length === 0)) {
    throw cairnError('MODEL_MANIFEST_INVALID', `${file}: /labels is required for a ${manifest.task} model`, {
      data: { file, pointer: '/labels' },
      hint: 'list the class labels in the order of `probabilities`',
    });
  }
  return manifest;
}

/** Reads and validates `<artifactDir>/cairn-model.json`. */
export async function readModelManifest(artifactDir: string): Promise<ModelManifest> {
  const file = join(artifactDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw cairnError(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'MODEL_MANIFEST_NOT_FOUND' : 'MODEL_MANIFEST_UNREADABLE',
      `${file}: cannot read the model manifest (${code ?? String(error)})`,
      {
        data: { file },
        hint: 'an artifact folder holds the model files plus a cairn-model.json manifest',
        cause: error,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw cairnError('MODEL_MANIFEST_INVALID_JSON', `${file}: not valid JSON (${(error as Error).message})`, {
      data: { file, pointer: '/' },
      cause: error,
    });
  }
  return parseModelManifest(value, file);
}
