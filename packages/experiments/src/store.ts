import * as fs from 'node:fs';
import { writeJsonAtomic } from '@cairn/fs-atomic';
import {
  compareAndSwapRef,
  deleteRefIf,
  findRepository,
  listRefsSnapshot,
  listRefsUnder,
  openRepository,
  readRecordCommit,
  readRef,
  syncRefs,
  writeRecordCommit,
  type RefSnapshot,
  type Repository,
} from '@cairn/git';
import type { KeepReference } from '@cairn/store';
import { cairnPath, CairnTree } from '@cairn/store/layout';
import { experimentError } from './errors';
import {
  assertRecord,
  EXPERIMENT_REF_PREFIX,
  experimentRef,
  parseRecord,
  type ExperimentRecord,
} from './record';

/**
 * Records live in git: each is one parentless commit (its message holds the
 * record's JSON) named by its own ref, `refs/cairn/exps/<project>/<id>`. A
 * record never shares a ref with another, so parallel recorders never
 * contend; the ref is still created with a compare-and-swap, so an id
 * collision fails loudly instead of replacing a record. `git push/fetch` of
 * the namespace carries them; nothing else needs a server.
 *
 * Queries read `.cairn/exps/index.json`: each record (without its per-step
 * values) keyed by ref and commit id. The index is a cache, rebuilt from the
 * refs whenever they differ from it, so it is never a source of truth and a
 * lost or stale index costs one rebuild.
 */

const INDEX_VERSION = 1;

/** What the index keeps per record: the record less its steps (the curves stay in git), plus the step counts. */
export type IndexedRecord = Omit<ExperimentRecord, 'steps'> & { stepCounts?: Record<string, number> };

interface IndexFile {
  version: number;
  entries: Record<string, { oid: string; record: IndexedRecord }>;
  /** What the last listing of the refs saw, so the next reads only ref folders that changed. */
  refs?: RefSnapshot;
}

export interface ListResult {
  records: IndexedRecord[];
  /** Refs whose record could not be read or failed validation: listed for `cairn exp remove`, never fatal. */
  invalid: { ref: string; reason: string }[];
}

function repositoryOf(workspaceRoot: string): Repository {
  return openRepository(workspaceRoot, 'experiments are recorded in git refs: run `git init` first');
}

/**
 * Stores `record` as a git commit under its own ref; returns the ref. The
 * record is validated first with the rules it will be read back with.
 */
export async function recordExperiment(workspaceRoot: string, record: ExperimentRecord): Promise<string> {
  assertRecord(record);
  const repository = repositoryOf(workspaceRoot);
  const ref = experimentRef(record.project, record.id);
  const subject = `cairn exp ${record.project} ${record.id} ${record.kind} ${record.status}`;
  const oid = writeRecordCommit(repository, subject, JSON.stringify(record), new Date(record.created));
  if (!(await compareAndSwapRef(repository, ref, oid, undefined))) {
    throw experimentError(
      'EXP_ID_TAKEN',
      `${ref} already names another record`,
      { ref, id: record.id },
      'record ids are random; record again to draw a new one',
    );
  }
  return ref;
}

function indexFile(workspaceRoot: string): string {
  return cairnPath(workspaceRoot, CairnTree.experimentIndex);
}

function readIndex(workspaceRoot: string): IndexFile {
  try {
    const parsed = JSON.parse(fs.readFileSync(indexFile(workspaceRoot), 'utf8')) as IndexFile;
    if (parsed.version === INDEX_VERSION && typeof parsed.entries === 'object') return parsed;
  } catch {
    // missing or damaged: the refs rebuild it
  }
  return { version: INDEX_VERSION, entries: {} };
}

function toIndexed(record: ExperimentRecord): IndexedRecord {
  const { steps, ...rest } = record;
  if (!steps) return rest;
  return {
    ...rest,
    stepCounts: Object.fromEntries(Object.entries(steps).map(([name, list]) => [name, list.length])),
  };
}

/**
 * Every record of the workspace's repository (newest first), from the index
 * brought up to date with the refs: records added by any process or fetched
 * from a remote are read from git once; removed ones are dropped.
 */
export async function listExperiments(workspaceRoot: string): Promise<ListResult> {
  const repository = repositoryOf(workspaceRoot);
  const index = readIndex(workspaceRoot);
  const { refs, snapshot, foldersRead } = listRefsSnapshot(repository, EXPERIMENT_REF_PREFIX, index.refs);
  const entries: IndexFile['entries'] = {};
  const invalid: ListResult['invalid'] = [];
  let changed = false;
  const cache = {};
  for (const [ref, oid] of refs) {
    const known = index.entries[ref];
    if (known?.oid === oid) {
      entries[ref] = known;
      continue;
    }
    changed = true;
    try {
      const record = parseRecord(await readRecordCommit(repository, oid, cache), ref);
      if (experimentRef(record.project, record.id) !== ref) {
        throw experimentError(
          'EXP_RECORD_INVALID',
          `${ref}: holds the record of ${record.project}/${record.id}`,
          {
            record: ref,
            field: '/id',
          },
        );
      }
      entries[ref] = { oid, record: toIndexed(record) };
    } catch (error) {
      invalid.push({ ref, reason: (error as Error).message });
    }
  }
  if (Object.keys(index.entries).some((ref) => !(ref in entries))) changed = true;
  // a folder read again (changed, or too fresh to trust last time) is trusted next time once this snapshot is saved
  if (foldersRead > 0) changed = true;
  if (changed) {
    fs.mkdirSync(cairnPath(workspaceRoot, CairnTree.experiments), { recursive: true });
    // Concurrent rebuilds write the same content from the same refs; the last rename wins, nothing is torn.
    await writeJsonAtomic(indexFile(workspaceRoot), { version: INDEX_VERSION, entries, refs: snapshot });
  }
  const records = Object.values(entries).map((entry) => entry.record);
  records.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { records, invalid };
}

/**
 * The artifacts every experiment record names (the models its run
 * produced), each with the record's ref, for the store's gc to keep: a
 * record outlives the local run history and may be fetched from another
 * machine. A record that fails validation still keeps the artifacts its
 * JSON lists; one whose artifacts cannot be read at all stops the caller
 * (EXP_RECORD_UNREADABLE), since what it keeps is unknown. A workspace
 * outside git has no records.
 */
export async function experimentArtifacts(workspaceRoot: string): Promise<KeepReference[]> {
  const repository = findRepository(workspaceRoot);
  if (!repository) return [];
  const { records, invalid } = await listExperiments(workspaceRoot);
  const found = records.flatMap((record) =>
    record.artifacts.map((id) => ({ id, source: experimentRef(record.project, record.id) })),
  );
  for (const { ref, reason } of invalid) {
    let artifacts: unknown;
    try {
      const oid = readRef(repository, ref);
      artifacts = oid
        ? (JSON.parse(await readRecordCommit(repository, oid)) as { artifacts?: unknown }).artifacts
        : [];
    } catch {
      artifacts = undefined;
    }
    if (!Array.isArray(artifacts) || !artifacts.every((id) => typeof id === 'string')) {
      throw experimentError(
        'EXP_RECORD_UNREADABLE',
        `${ref}: the artifacts this experiment record keeps cannot be read (${reason})`,
        { record: ref, field: '/artifacts' },
        `look at it with \`git log -1 ${ref}\`; \`cairn exp gc\` removes records that cannot be read`,
      );
    }
    found.push(...artifacts.map((id: string) => ({ id, source: ref })));
  }
  return found;
}

/** The refs of the records whose id starts with `idPrefix` (≥ 4 characters, like a short commit id). */
function matchRefs(repository: Repository, idPrefix: string): string[] {
  if (!/^[0-9a-z]{4,19}$/.test(idPrefix)) {
    throw experimentError(
      'EXP_NOT_FOUND',
      `"${idPrefix}" is not an experiment id`,
      { id: idPrefix },
      'ids are 19 lowercase letters and digits; give at least the first 4 (see `cairn exp list`)',
    );
  }
  return [...listRefsUnder(repository, EXPERIMENT_REF_PREFIX).keys()].filter((ref) =>
    ref.slice(ref.lastIndexOf('/') + 1).startsWith(idPrefix),
  );
}

function uniqueRef(repository: Repository, idPrefix: string): string {
  const matches = matchRefs(repository, idPrefix);
  if (matches.length === 0) {
    throw experimentError(
      'EXP_NOT_FOUND',
      `no experiment ${idPrefix}`,
      { id: idPrefix },
      'see `cairn exp list`',
    );
  }
  if (matches.length > 1) {
    throw experimentError(
      'EXP_AMBIGUOUS_ID',
      `${idPrefix} names ${matches.length} experiments: ${matches.slice(0, 5).join(', ')}`,
      { id: idPrefix, matches: matches.slice(0, 20) },
      'give more characters of the id',
    );
  }
  return matches[0]!;
}

/** The full record (with its per-step values) read from git, by id or unique id prefix. */
export async function readExperiment(workspaceRoot: string, idPrefix: string): Promise<ExperimentRecord> {
  const repository = repositoryOf(workspaceRoot);
  const ref = uniqueRef(repository, idPrefix);
  const oid = readRef(repository, ref)!;
  return parseRecord(await readRecordCommit(repository, oid), ref);
}

/** Deletes records by id (each must name exactly one); returns the refs removed. */
export async function removeExperiments(workspaceRoot: string, idPrefixes: string[]): Promise<string[]> {
  const repository = repositoryOf(workspaceRoot);
  const refs = idPrefixes.map((id) => uniqueRef(repository, id));
  const removed: string[] = [];
  for (const ref of new Set(refs)) {
    const oid = readRef(repository, ref);
    if (oid && (await deleteRefIf(repository, ref, oid))) removed.push(ref);
  }
  await listExperiments(workspaceRoot);
  return removed;
}

export interface GcOptions {
  /** Remove failed and pruned records. */
  failed?: boolean;
  /** Remove records created before this time. */
  before?: Date;
  /** Per project, keep only this many newest records (0 keeps all). */
  keepLast?: number;
  /** Only report what would be removed. */
  dryRun?: boolean;
}

/**
 * Removes the records the options select, and refs that hold no readable
 * record. The commits themselves go when git's own gc prunes unreachable
 * objects (`git gc --prune=now`), exactly like a deleted branch.
 */
export async function gcExperiments(
  workspaceRoot: string,
  options: GcOptions,
): Promise<{ removed: string[]; kept: number }> {
  const repository = repositoryOf(workspaceRoot);
  const { records, invalid } = await listExperiments(workspaceRoot);
  const doomed = new Set<string>(invalid.map((entry) => entry.ref));
  const seenPerProject = new Map<string, number>();
  for (const record of records) {
    const rank = (seenPerProject.get(record.project) ?? 0) + 1;
    seenPerProject.set(record.project, rank);
    const ref = experimentRef(record.project, record.id);
    if (options.failed && record.status !== 'succeeded') doomed.add(ref);
    if (options.before && Date.parse(record.created) < options.before.getTime()) doomed.add(ref);
    if (options.keepLast && rank > options.keepLast) doomed.add(ref);
  }
  const removed: string[] = [];
  for (const ref of [...doomed].sort()) {
    if (options.dryRun) {
      removed.push(ref);
      continue;
    }
    const oid = readRef(repository, ref);
    if (oid && (await deleteRefIf(repository, ref, oid))) removed.push(ref);
  }
  if (!options.dryRun) await listExperiments(workspaceRoot);
  return { removed, kept: records.length + invalid.length - removed.length };
}

/** Pushes every record ref to a git remote (name or URL). */
export async function pushExperiments(workspaceRoot: string, remote: string): Promise<void> {
  syncRefs(workspaceRoot, 'push', remote, EXPERIMENT_REF_PREFIX.replace(/\/$/, ''));
}

/** Fetches every record ref from a git remote and brings the index up to date. */
export async function pullExperiments(workspaceRoot: string, remote: string): Promise<ListResult> {
  syncRefs(workspaceRoot, 'fetch', remote, EXPERIMENT_REF_PREFIX.replace(/\/$/, ''));
  return listExperiments(workspaceRoot);
}
