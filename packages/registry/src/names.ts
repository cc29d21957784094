import { registryError } from './errors';

/** Model and alias names: safe as git path parts and unambiguous in `model@3` / `model#alias`. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function checkName(kind: 'model' | 'alias', name: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
    throw registryError(
      'REGISTRY_NAME_INVALID',
      `${kind} name "${name}" is not valid`,
      { kind, name },
      'names are 1-100 lowercase letters, digits, ".", "_" and "-", starting with a letter or digit',
    );
  }
  return name;
}

/** What `model`, `model@3` / `model@v3` or `model#alias` asks for. */
export type ModelReference =
  | { model: string; kind: 'latest' }
  | { model: string; kind: 'version'; version: number }
  | { model: string; kind: 'alias'; alias: string };

export function parseModelReference(text: string): ModelReference {
  const match = /^([^@#]+)(?:@v?(\d{1,9})|#([^@#]+))?$/.exec(text);
  if (!match) {
    throw registryError(
      'REGISTRY_NAME_INVALID',
      `"${text}" is not a model reference`,
      { reference: text },
      'write model, model@<version> (model@3 or model@v3) or model#<alias>',
    );
  }
  const model = checkName('model', match[1]!);
  if (match[2] !== undefined) {
    const version = Number(match[2]);
    if (version < 1)
      throw registryError('REGISTRY_NAME_INVALID', `"${text}": versions start at 1`, { reference: text });
    return { model, kind: 'version', version };
  }
  if (match[3] !== undefined) return { model, kind: 'alias', alias: checkName('alias', match[3]) };
  return { model, kind: 'latest' };
}
