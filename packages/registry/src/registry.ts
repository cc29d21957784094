import { registryError } from './errors';
import { checkName, parseModelReference, type ModelReference } from './names';
import { compileSchema, parseRecord } from './records';
import { findRepository } from '@cairn/git';
import {
  openSnapshot,
  REGISTRY_REF,
  transact,
  type ActorOptions,
  type RegistrySnapshot,
} from './transaction';

/** What a model takes and returns, so a consumer can check a request before it reaches the model. */
export interface ModelSignature {
  /** Feature columns in order, with their types from the dataset spec (`number`, `string`, `integer`, …). */
  inputs: Array<{ name: string; type: string }>;
  /** The predicted column and, for classifiers, its labels. */
  outputs: { name: string; labels?: Array<string | number | boolean> };
}

/** What `registerVersion` records; the registry adds the model, number, time and who. */
export interface VersionInput {
  /** The model artifact in the content store (a directory hash ends in `.dir`). */
  artifact: { hash: string; size: number; nfiles?: number };
  metrics: Record<string, unknown>;
  /** Each training dataset's pointer file and content hash. */
  inputs: Record<string, { pointer: string; hash: string; size: number }>;
  params: Record<string, unknown>;
  /** The commit the model was trained at (null outside git); dirty: uncommitted changes then. */
  code: { commit: string | null; dirty?: boolean };
  /** The train run this version comes from (its start time identifies it in `.cairn/runs`). */
  run: { id: string; project: string };
  signature: ModelSignature;
}

export interface ModelVersion extends VersionInput {
  model: string;
  version: number;
  registeredAt: string;
  registeredBy: string;
  /** The audit entry that recorded the registration. */
  auditSeq: number;
}

/** One change of one alias: `set` points it at a version, `rollback` returns it to its previous holder. */
export interface AliasEvent {
  alias: string;
  action: 'set' | 'rollback';
  version: number;
  /** The version the alias held before (null: it was new). */
  previous: number | null;
  at: string;
  who: string;
  why: string;
  auditSeq: number;
}

export interface AliasHolder {
  version: number;
  since: string;
  who: string;
}

export interface ModelSummary {
  model: string;
  versions: number;
  latest: number;
  aliases: Record<string, number>;
}

const HASH = '^[0-9a-f]{64}(\\.dir)?$';

const validVersion = compileSchema<ModelVersion>({
  type: 'object',
  required: [
    'model',
    'version',
    'registeredAt',
    'registeredBy',
    'auditSeq',
    'artifact',
    'metrics',
    'inputs',
    'params',
    'code',
    'run',
    'signature',
  ],
  properties: {
    model: { type: 'string' },
    version: { type: 'integer', minimum: 1 },
    registeredAt: { type: 'string' },
    registeredBy: { type: 'string' },
    auditSeq: { type: 'integer', minimum: 1 },
    artifact: {
      type: 'object',
      required: ['hash', 'size'],
      properties: {
        hash: { type: 'string', pattern: HASH },
        size: { type: 'integer', minimum: 0 },
        nfiles: { type: 'integer', minimum: 0 },
      },
    },
    metrics: { type: 'object' },
    inputs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['pointer', 'hash', 'size'],
        properties: {
          pointer: { type: 'string' },
          hash: { type: 'string', pattern: HASH },
          size: { type: 'integer' },
        },
      },
    },
    params: { type: 'object' },
    code: {
      type: 'object',
      required: ['commit'],
      properties: { commit: { type: ['string', 'null'] }, dirty: { type: 'boolean' } },
    },
    run: {
      type: 'object',
      required: ['id', 'project'],
      properties: { id: { type: 'string' }, project: { type: 'string' } },
    },
    signature: {
      type: 'object',
      required: ['inputs', 'outputs'],
      properties: {
        inputs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'type'],
            properties: { name: { type: 'string' }, type: { type: 'string' } },
          },
        },
        outputs: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            labels: { type: 'array', items: { type: ['string', 'number', 'boolean'] } },
          },
        },
      },
    },
  },
});

const validAliasEvent = compileSchema<AliasEvent>({
  type: 'object',
  required: ['alias', 'action', 'version', 'previous', 'at', 'who', 'why', 'auditSeq'],
  properties: {
    alias: { type: 'string' },
    action: { enum: ['set', 'rollback'] },
    version: { type: 'integer', minimum: 1 },
    previous: { type: ['integer', 'null'] },
    at: { type: 'string' },
    who: { type: 'string' },
    why: { type: 'string' },
    auditSeq: { type: 'integer', minimum: 1 },
  },
});

const modelsDir = 'models';
const versionFile = (model: string, version: number) => `${modelsDir}/${model}/versions/${version}.json`;
const aliasFile = (model: string) => `${modelsDir}/${model}/aliases.jsonl`;

async function versionNumbers(snapshot: RegistrySnapshot, model: string): Promise<number[]> {
  return (await snapshot.list(`${modelsDir}/${model}/versions`))
    .map((name) => /^([1-9]\d*)\.json$/.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function readVersion(
  snapshot: RegistrySnapshot,
  model: string,
  version: number,
): Promise<ModelVersion | undefined> {
  const file = versionFile(model, version);
  const text = await snapshot.read(file);
  if (text === undefined) return undefined;
  const record = parseRecord(text, file, validVersion);
  if (record.model !== model || record.version !== version) {
    throw registryError('REGISTRY_CORRUPT', `${file}: records ${record.model}@${record.version}`, {
      file,
      pointer: '/version',
    });
  }
  return record;
}

async function readAliasEvents(snapshot: RegistrySnapshot, model: string): Promise<AliasEvent[]> {
  const file = aliasFile(model);
  const text = (await snapshot.read(file)) ?? '';
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => parseRecord(line, `${file}:${index + 1}`, validAliasEvent));
}

/** The versions an alias returns to on rollback, oldest first; the last is its current holder. */
function aliasStack(events: AliasEvent[], alias: string): number[] {
  const stack: number[] = [];
  for (const event of events) {
    if (event.alias !== alias) continue;
    if (event.action === 'set') stack.push(event.version);
    else stack.pop();
  }
  return stack;
}

function currentHolders(events: AliasEvent[], until?: number): Record<string, AliasHolder> {
  const holders: Record<string, AliasHolder> = {};
  for (const event of events) {
    if (until !== undefined && Date.parse(event.at) > until) break;
    holders[event.alias] = { version: event.version, since: event.at, who: event.who };
  }
  return holders;
}

function modelNotFound(model: string): Error {
  return registryError(
    'REGISTRY_MODEL_NOT_FOUND',
    `no version of model "${model}" is registered`,
    { model },
    'register one with `cairn model register <project>` after training it',
  );
}

async function requireVersion(
  snapshot: RegistrySnapshot,
  model: string,
  version: number,
): Promise<ModelVersion> {
  const record = await readVersion(snapshot, model, version);
  if (record) return record;
  const known = await versionNumbers(snapshot, model);
  if (known.length === 0) throw modelNotFound(model);
  throw registryError(
    'REGISTRY_VERSION_NOT_FOUND',
    `${model}@${version}: no such version (registered: ${known.join(', ')})`,
    { model, version, known },
  );
}

function sameRecord(a: VersionInput, b: VersionInput): boolean {
  return a.artifact.hash === b.artifact.hash && a.run.id === b.run.id;
}

/**
 * Records the next version of `model` (1, 2, 3… per model, never reused).
 * Registering the same run and artifact again returns the version it already
 * has, so a retried CI job does not mint a duplicate.
 */
export async function registerVersion(
  repoDir: string,
  model: string,
  input: VersionInput,
  options: ActorOptions & { why?: string } = {},
): Promise<{ version: ModelVersion; created: boolean }> {
  checkName('model', model);
  const { result } = await transact<{ version: ModelVersion; created: boolean }>(
    repoDir,
    options,
    async (snapshot, next) => {
      const numbers = await versionNumbers(snapshot, model);
      for (const number of numbers.slice(-20).reverse()) {
        const existing = await readVersion(snapshot, model, number);
        if (existing && sameRecord(existing, input))
          return { unchanged: { version: existing, created: false } };
      }
      const version: ModelVersion = {
        model,
        version: (numbers.at(-1) ?? 0) + 1,
        registeredAt: next.at,
        registeredBy: next.who,
        auditSeq: next.seq,
        ...input,
      };
      return {
        files: { [versionFile(model, version.version)]: `${JSON.stringify(version, null, 2)}\n` },
        audit: {
          kind: 'model.register',
          subject: `${model}@${version.version}`,
          what: {
            artifact: input.artifact.hash,
            run: input.run.id,
            code: input.code.commit,
            metrics: input.metrics,
          },
          why: options.why ?? `train run ${input.run.id}`,
        },
        result: { version, created: true },
      };
    },
  );
  return result;
}

/** What an alias move expects to find: the version it holds now, or null for "no holder yet". */
export interface AliasExpectation {
  /** When given and the alias holds something else, the move fails with REGISTRY_ALIAS_CONFLICT. */
  expected?: number | null;
}

function checkExpected(
  model: string,
  alias: string,
  current: number | null,
  expectation: AliasExpectation,
): void {
  if (expectation.expected === undefined || expectation.expected === current) return;
  throw registryError(
    'REGISTRY_ALIAS_CONFLICT',
    `${model}#${alias} holds ${current === null ? 'nothing' : `version ${current}`}, not ${
      expectation.expected === null ? 'nothing' : `version ${expectation.expected}`
    } as expected: another promotion moved it first`,
    { model, alias, expected: expectation.expected, actual: current },
  );
}

function aliasChange(
  model: string,
  event: AliasEvent,
  events: AliasEvent[],
  kind: 'alias.set' | 'alias.rollback',
): {
  files: Record<string, string>;
  audit: { kind: string; subject: string; what: Record<string, unknown>; why: string };
} {
  const lines = [...events, event].map((item) => `${JSON.stringify(item)}\n`).join('');
  return {
    files: { [aliasFile(model)]: lines },
    audit: {
      kind,
      subject: `${model}#${event.alias}`,
      what: { version: event.version, previous: event.previous },
      why: event.why,
    },
  };
}

/**
 * Points `alias` of `model` at `version` (which must exist). Concurrent moves
 * are serialized by the registry ref's compare-and-swap: without `expected`
 * the loser re-applies its move on top of the winner's (both are recorded);
 * with `expected` it fails with REGISTRY_ALIAS_CONFLICT when the alias no
 * longer holds what the caller saw. Moving an alias to the version it
 * already holds records nothing.
 */
export async function setAlias(
  repoDir: string,
  request: { model: string; alias: string; version: number; why: string } & AliasExpectation,
  options: ActorOptions = {},
): Promise<{ event?: AliasEvent; changed: boolean }> {
  const model = checkName('model', request.model);
  const alias = checkName('alias', request.alias);
  const { result } = await transact<{ event?: AliasEvent; changed: boolean }>(
    repoDir,
    options,
    async (snapshot, next) => {
      await requireVersion(snapshot, model, request.version);
      const events = await readAliasEvents(snapshot, model);
      const current = aliasStack(events, alias).at(-1) ?? null;
      checkExpected(model, alias, current, request);
      if (current === request.version) return { unchanged: { changed: false } };
      const event: AliasEvent = {
        alias,
        action: 'set',
        version: request.version,
        previous: current,
        at: next.at,
        who: next.who,
        why: request.why,
        auditSeq: next.seq,
      };
      return { ...aliasChange(model, event, events, 'alias.set'), result: { event, changed: true } };
    },
  );
  return result;
}

/**
 * Returns `alias` to the version that held it before its current holder
 * (undoing the last `set`; repeated rollbacks walk further back).
 */
export async function rollbackAlias(
  repoDir: string,
  request: { model: string; alias: string; why: string } & AliasExpectation,
  options: ActorOptions = {},
): Promise<AliasEvent> {
  const model = checkName('model', request.model);
  const alias = checkName('alias', request.alias);
  const { result } = await transact(repoDir, options, async (snapshot, next) => {
    const events = await readAliasEvents(snapshot, model);
    const stack = aliasStack(events, alias);
    const current = stack.at(-1) ?? null;
    if (current === null) {
      if ((await versionNumbers(snapshot, model)).length === 0) throw modelNotFound(model);
      throw registryError('REGISTRY_ALIAS_NOT_FOUND', `${model}#${alias}: no such alias`, { model, alias });
    }
    checkExpected(model, alias, current, request);
    const target = stack.at(-2);
    if (target === undefined) {
      throw registryError(
        'REGISTRY_NO_PREVIOUS',
        `${model}#${alias}: version ${current} is the first holder, there is nothing to roll back to`,
        { model, alias, version: current },
        'point the alias at a version with `cairn model alias`',
      );
    }
    const event: AliasEvent = {
      alias,
      action: 'rollback',
      version: target,
      previous: current,
      at: next.at,
      who: next.who,
      why: request.why,
      auditSeq: next.seq,
    };
    return { ...aliasChange(model, event, events, 'alias.rollback'), result: event };
  });
  return result;
}

/** Every version of a model, oldest first. */
export async function listVersions(repoDir: string, model: string): Promise<ModelVersion[]> {
  checkName('model', model);
  const snapshot = await openSnapshot(repoDir);
  const versions: ModelVersion[] = [];
  for (const number of await versionNumbers(snapshot, model)) {
    versions.push((await readVersion(snapshot, model, number))!);
  }
  return versions;
}

/** Every registered model with its version count, latest version and current aliases. */
export async function listModels(repoDir: string): Promise<ModelSummary[]> {
  const snapshot = await openSnapshot(repoDir);
  const summaries: ModelSummary[] = [];
  for (const model of (await snapshot.list(modelsDir)).sort()) {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(model)) continue;
    const numbers = await versionNumbers(snapshot, model);
    if (numbers.length === 0) continue;
    const holders = currentHolders(await readAliasEvents(snapshot, model));
    summaries.push({
      model,
      versions: numbers.length,
      latest: numbers.at(-1)!,
      aliases: Object.fromEntries(Object.entries(holders).map(([alias, holder]) => [alias, holder.version])),
    });
  }
  return summaries;
}

/**
 * The artifact of every registered version, with the version it belongs to,
 * for the store's gc to keep: a version can be promoted, served or packaged
 * long after its train run left the local history. A folder outside git has
 * no registry.
 */
export async function registeredArtifacts(repoDir: string): Promise<Array<{ id: string; source: string }>> {
  if (!findRepository(repoDir)) return [];
  const found: Array<{ id: string; source: string }> = [];
  for (const { model } of await listModels(repoDir)) {
    for (const version of await listVersions(repoDir, model)) {
      found.push({ id: version.artifact.hash, source: `${REGISTRY_REF}:${model}@v${version.version}` });
    }
  }
  return found;
}

/**
 * The alias changes of a model, oldest first (only `alias`'s when given,
 * only those made at or before `at` when given).
 */
export async function aliasHistory(
  repoDir: string,
  model: string,
  filter: { alias?: string; at?: Date } = {},
): Promise<AliasEvent[]> {
  checkName('model', model);
  if (filter.alias !== undefined) checkName('alias', filter.alias);
  const snapshot = await openSnapshot(repoDir);
  if ((await versionNumbers(snapshot, model)).length === 0) throw modelNotFound(model);
  const until = filter.at?.getTime();
  return (await readAliasEvents(snapshot, model)).filter(
    (event) =>
      (filter.alias === undefined || event.alias === filter.alias) &&
      (until === undefined || Date.parse(event.at) <= until),
  );
}

/** Which version held each alias of `model` at time `at` (default: now), since when and set by whom. */
export async function aliasesAt(
  repoDir: string,
  model: string,
  at?: Date,
): Promise<Record<string, AliasHolder>> {
  return currentHolders(await aliasHistory(repoDir, model, { at }));
}

/**
 * The version `model`, `model@N` or `model#alias` names (an alias as it
 * stood at `at` when given).
 */
export async function resolveModel(
  repoDir: string,
  reference: string | ModelReference,
  options: { at?: Date } = {},
): Promise<ModelVersion> {
  const wanted = typeof reference === 'string' ? parseModelReference(reference) : reference;
  const snapshot = await openSnapshot(repoDir);
  const numbers = await versionNumbers(snapshot, wanted.model);
  if (numbers.length === 0) throw modelNotFound(wanted.model);
  if (wanted.kind === 'latest') return requireVersion(snapshot, wanted.model, numbers.at(-1)!);
  if (wanted.kind === 'version') return requireVersion(snapshot, wanted.model, wanted.version);
  const holders = currentHolders(await readAliasEvents(snapshot, wanted.model), options.at?.getTime());
  const holder = holders[wanted.alias];
  if (!holder) {
    throw registryError(
      'REGISTRY_ALIAS_NOT_FOUND',
      `${wanted.model}#${wanted.alias}: no such alias${options.at ? ` at ${options.at.toISOString()}` : ''}`,
      { model: wanted.model, alias: wanted.alias, known: Object.keys(holders) },
      Object.keys(holders).length ? `aliases: ${Object.keys(holders).join(', ')}` : undefined,
    );
  }
  return requireVersion(snapshot, wanted.model, holder.version);
}
