import { randomBytes } from 'node:crypto';
import { experimentError } from './errors';

/** One metric's values as the trainer reported them step by step. */
export interface StepValue {
  step: number;
  value: number;
}

/**
 * What one train, evaluate or tuning trial leaves behind: enough to compare
 * it with any other, reproduce it (data hashes, code commit and a hash of the
 * uncommitted changes) and promote it (`params`).
 */
export interface ExperimentRecord {
  /** Sortable by creation time: 9 base-36 digits of milliseconds, then 10 random hex digits. */
  id: string;
  project: string;
  kind: 'train' | 'evaluate' | 'trial';
  status: 'succeeded' | 'failed' | 'pruned';
  /** ISO time the run started. */
  created: string;
  durationMs: number;
  params: Record<string, unknown>;
  /** Final scalar metrics. */
  metrics: Record<string, number>;
  /** Per-step values by metric name, when the trainer logged them. */
  steps?: Record<string, StepValue[]>;
  /** Input dataset name → content hash. */
  data: Record<string, string>;
  /** The commit checked out, and a hash of the uncommitted changes to the code (absent when clean). */
  commit?: string;
  uncommitted?: string;
  host: string;
  /** Content ids of what the run produced. */
  artifacts: string[];
  /** The Nx task that ran it and its cache status (a cache hit runs nothing, so records are misses). */
  nx?: { task: string; cache: 'miss' | 'local' | 'remote' };
  /** The study and trial number of a tuning trial. */
  study?: { name: string; trial: number };
  /** Everything else the run knew (toolkit and runtime versions, environment, seed, split, command…), kept as given. */
  context?: Record<string, unknown>;
}

export const RECORD_KINDS = ['train', 'evaluate', 'trial'] as const;
export const RECORD_STATUSES = ['succeeded', 'failed', 'pruned'] as const;

/** The namespace every record ref lives under: `refs/cairn/exps/<project>/<id>`. */
export const EXPERIMENT_REF_PREFIX = 'refs/cairn/exps/';

const ID = /^[0-9a-z]{9}[0-9a-f]{10}$/;
const PROJECT = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.+-]*)?$/;

/** Whether a project name can be part of a record ref (`refs/cairn/exps/<project>/<id>`). */
export function isRecordableProject(project: string): boolean {
  return PROJECT.test(project) && !project.includes('..');
}

export function newExperimentId(time: Date): string {
  return `${time.getTime().toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

export function experimentRef(project: string, id: string): string {
  return `${EXPERIMENT_REF_PREFIX}${project}/${id}`;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a record read from git (it may come from any remote): the shape
 * above, field by field, with a coded error naming the record and field.
 * Unknown top-level fields are dropped so a newer Cairn's records still list.
 */
export function parseRecord(text: string, source: string): ExperimentRecord {
  const fail = (field: string, valid: string) =>
    experimentError(
      'EXP_RECORD_INVALID',
      `${source}: ${field} is not ${valid}`,
      { record: source, field },
      'the record was not written by Cairn or is damaged; `cairn exp remove` drops it',
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('/', 'valid JSON');
  }
  if (!isObject(value)) throw fail('/', 'a JSON object');
  const record = value;
  const string = (key: string, pattern?: RegExp) => {
    const field = record[key];
    if (typeof field !== 'string' || (pattern && !pattern.test(field))) {
      throw fail(`/${key}`, pattern ? `a string matching ${pattern}` : 'a string');
    }
    return field;
  };
  const numberMap = (key: string): Record<string, number> => {
    const field = record[key];
    if (!isObject(field)) throw fail(`/${key}`, 'an object of numbers');
    for (const [name, number] of Object.entries(field)) {
      if (typeof number !== 'number' || !Number.isFinite(number))
        throw fail(`/${key}/${name}`, 'a finite number');
    }
    return field as Record<string, number>;
  };
  const stringMap = (key: string): Record<string, string> => {
    const field = record[key];
    if (!isObject(field)) throw fail(`/${key}`, 'an object of strings');
    for (const [name, item] of Object.entries(field)) {
      if (typeof item !== 'string') throw fail(`/${key}/${name}`, 'a string');
    }
    return field as Record<string, string>;
  };
  const kind = string('kind');
  if (!(RECORD_KINDS as readonly string[]).includes(kind))
    throw fail('/kind', `one of ${RECORD_KINDS.join(', ')}`);
  const status = string('status');
  if (!(RECORD_STATUSES as readonly string[]).includes(status)) {
    throw fail('/status', `one of ${RECORD_STATUSES.join(', ')}`);
  }
  const created = string('created');
  if (Number.isNaN(Date.parse(created))) throw fail('/created', 'an ISO date');
  if (typeof record.durationMs !== 'number' || !(record.durationMs >= 0)) {
    throw fail('/durationMs', 'a number ≥ 0');
  }
  if (!isObject(record.params)) throw fail('/params', 'an object');
  const artifacts = record.artifacts;
  if (!Array.isArray(artifacts) || !artifacts.every((item) => typeof item === 'string')) {
    throw fail('/artifacts', 'an array of strings');
  }
  const parsed: ExperimentRecord = {
    id: string('id', ID),
    project: string('project', PROJECT),
    kind: kind as ExperimentRecord['kind'],
    status: status as ExperimentRecord['status'],
    created,
    durationMs: record.durationMs,
    params: record.params,
    metrics: numberMap('metrics'),
    data: stringMap('data'),
    host: string('host'),
    artifacts: artifacts as string[],
  };
  if (record.commit !== undefined) parsed.commit = string('commit', /^[0-9a-f]{40}$/);
  if (record.uncommitted !== undefined) parsed.uncommitted = string('uncommitted');
  if (record.steps !== undefined) {
    if (!isObject(record.steps)) throw fail('/steps', 'an object of step lists');
    for (const [name, list] of Object.entries(record.steps)) {
      const valid =
        Array.isArray(list) &&
        list.every(
          (point) =>
            isObject(point) &&
            Number.isInteger(point.step) &&
            typeof point.value === 'number' &&
            Number.isFinite(point.value),
        );
      if (!valid) throw fail(`/steps/${name}`, 'a list of {step: integer, value: number}');
    }
    parsed.steps = record.steps as Record<string, StepValue[]>;
  }
  if (record.nx !== undefined) {
    const nx = record.nx;
    if (
      !isObject(nx) ||
      typeof nx.task !== 'string' ||
      !['miss', 'local', 'remote'].includes(nx.cache as string)
    ) {
      throw fail('/nx', '{task: string, cache: miss|local|remote}');
    }
    parsed.nx = { task: nx.task, cache: nx.cache as 'miss' };
  }
  if (record.study !== undefined) {
    const study = record.study;
    if (!isObject(study) || typeof study.name !== 'string' || !Number.isInteger(study.trial)) {
      throw fail('/study', '{name: string, trial: integer}');
    }
    parsed.study = { name: study.name, trial: study.trial as number };
  }
  if (record.context !== undefined) {
    if (!isObject(record.context)) throw fail('/context', 'an object');
    parsed.context = record.context;
  }
  return parsed;
}

/** Checks a record about to be written with the same rules it will be read with. */
export function assertRecord(record: ExperimentRecord): void {
  parseRecord(JSON.stringify(record), `experiment ${record.id}`);
}
