import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { CheckError, cairnError, isCairnError, type CairnError } from '@cairn/errors';
import { checkoutCommitInto } from '@cairn/git';
import { hashBuffer, hashFile } from '@cairn/hash';
import {
  cairnPath,
  CairnTree,
  loadConfig,
  loadLayout,
  readPointer,
  saveConfig,
  serializePointer,
} from '@cairn/store';
import type { RunEnvironment } from './environment';
import { train, type RunRecord } from './train';
import { discoverProjects, outputPaths } from './workspace';

/** A recorded run and where it was read from. */
export interface RecordedRun {
  /** 12 hex digits of the BLAKE3 of the record's JSON: the same run has the same id wherever it is stored. */
  id: string;
  record: RunRecord;
  source: string;
}

export interface Difference {
  /** `artifact.hash`, or the name of a training metric. */
  metric: string;
  recorded: unknown;
  reproduced: unknown;
}

export interface ReproduceReport {
  run: string;
  project: string;
  commit: string;
  status: 'reproduced' | 'differs';
  artifact: { recorded: string; reproduced: string };
  /** Every mismatch of the artifact hash or a metric; empty when reproduced. */
  differences: Difference[];
  /** Runtime, toolkit, lockfile or package versions that changed since the record: the usual causes of a difference. */
  environment: Difference[];
  /** What the scratch checkout lacks (symlinks, submodules) or what makes the record weaker (a dirty tree). */
  notes: string[];
}

export function runIdOf(record: RunRecord): string {
  return hashBuffer(JSON.stringify(record)).slice(0, 12);
}

function looksLikeRecord(value: unknown): value is RunRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Partial<RunRecord>;
  return (
    typeof record.project === 'string' &&
    typeof record.startedAt === 'string' &&
    typeof record.artifact?.hash === 'string' &&
    typeof record.metrics === 'object'
  );
}

/**
 * Every run record of the workspace: the local history (`.cairn/runs/*.jsonl`)
 * and each trainable's last `train` output (`run.json`, which a cache hit
 * restores on a fresh CI clone that has no history). Lines that are not
 * records are passed over: the history is append-only and may end in a
 * torn line.
 */
export async function listRuns(workspaceRoot: string): Promise<RecordedRun[]> {
  const runs = new Map<string, RecordedRun>();
  const add = (value: unknown, source: string) => {
    if (!looksLikeRecord(value)) return;
    const id = runIdOf(value);
    if (!runs.has(id)) runs.set(id, { id, record: value, source });
  };
  const history = cairnPath(workspaceRoot, CairnTree.runs);
  const files = existsSync(history) ? (await readdir(history)).filter((f) => f.endsWith('.jsonl')) : [];
  for (const file of files.sort()) {
    const lines = (await readFile(join(history, file), 'utf8')).split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        add(JSON.parse(line), `.cairn/runs/${file}:${index + 1}`);
      } catch {
        /* a torn or foreign line is not a run */
      }
    }
  }
  const projects = await discoverProjects(workspaceRoot);
  for (const project of [...projects.models.values(), ...projects.experiments.values()]) {
    const file = outputPaths(project.root).runRecord;
    if (!existsSync(join(workspaceRoot, file))) continue;
    try {
      add(JSON.parse(await readFile(join(workspaceRoot, file), 'utf8')), file);
    } catch {
      /* an unreadable output is not a run */
    }
  }
  return [...runs.values()].sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt));
}

function runNotFound(target: string, problem: string, known: RecordedRun[]): CairnError {
  return cairnError('RUN_RECORD_NOT_FOUND', `${target}: ${problem}`, {
    data: { target, known: known.slice(-10).map((run) => `${run.id} ${run.record.project}`) },
    hint: known.length
      ? `recent runs: ${known
          .slice(-5)
          .map((run) => `${run.id} (${run.record.project}, ${run.record.startedAt})`)
          .join(', ')}; list them with \`cairn reproduce --list\``
      : 'train the model first (`nx run <model>:train`), or restore its train output from the Nx cache',
  });
}

/** The run `target` names: a run id (or a prefix of at least 4 digits), or a project's latest run. */
export async function findRun(workspaceRoot: string, target: string): Promise<RecordedRun> {
  const runs = await listRuns(workspaceRoot);
  const ofProject = runs.filter((run) => run.record.project === target);
  if (ofProject.length > 0) return ofProject.at(-1)!;
  if (/^[0-9a-f]{4,12}$/.test(target)) {
    const matches = runs.filter((run) => run.id.startsWith(target));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw runNotFound(target, `matches ${matches.length} runs; give more digits`, matches);
  }
  throw runNotFound(target, 'no recorded run of that project, nor with that id', runs);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function differences(recorded: Record<string, unknown>, reproduced: Record<string, unknown>): Difference[] {
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(reproduced)])].sort();
  return names
    .filter((metric) => !sameValue(recorded[metric], reproduced[metric]))
    .map((metric) => ({
      metric,
      recorded: recorded[metric] ?? null,
      reproduced: reproduced[metric] ?? null,
    }));
}

/** Flattens the environment to comparable fields: `node`, `lockfiles/package-lock.json`, `trainer/packages/numpy`… */
function flatEnvironment(environment: RunEnvironment | undefined): Record<string, unknown> {
  if (!environment) return {};
  const flat: Record<string, unknown> = {
    node: environment.node,
    cairn: environment.cairn,
    platform: environment.platform,
  };
  for (const [file, hash] of Object.entries(environment.lockfiles)) flat[`lockfiles/${file}`] = hash;
  if (environment.trainer) {
    flat['trainer/runtime'] = `${environment.trainer.runtime} ${environment.trainer.version}`;
    for (const [name, version] of Object.entries(environment.trainer.packages))
      flat[`trainer/packages/${name}`] = version;
  }
  return flat;
}

/**
 * Points the scratch copy's datasets at the data the run recorded, which a
 * commit made after `cairn add` but before committing the pointer does not
 * name. A folder's pointer also needs its file count, which records lack:
 * such a pointer is left as committed, with a note.
 */
async function pinRecordedData(scratch: string, record: RunRecord): Promise<string[]> {
  const notes: string[] = [];
  for (const [dataset, input] of Object.entries(record.inputs)) {
    const file = resolve(scratch, input.pointer);
    if (relative(scratch, file).startsWith('..') || isAbsolute(input.pointer)) {
      notes.push(
        `${dataset}: the recorded pointer path ${JSON.stringify(input.pointer)} lies outside the workspace; not used`,
      );
      continue;
    }
    const committed = existsSync(file) ? await readPointer(file) : undefined;
    if (committed?.hash === input.hash) continue;
    if (input.hash.endsWith('.dir')) {
      notes.push(
        `${dataset}: the commit's pointer names other data than the run's folder ${input.hash.slice(0, 12)}; the commit's was used`,
      );
      continue;
    }
    await writeFile(
      file,
      serializePointer({
        version: 1,
        algorithm: 'blake3',
        hash: input.hash,
        size: input.size,
        path: committed?.path ?? basename(input.pointer, '.cairn'),
      }),
    );
    notes.push(
      `${dataset}: the commit's pointer names other data than the run used; the recorded data (${input.hash.slice(0, 12)}) was used`,
    );
  }
  return notes;
}

/**
 * The scratch copy runs on today's node_modules (linked from the workspace):
 * when the workspace lockfile no longer matches the recorded one, the
 * installed packages may differ from the run's.
 */
async function installedPackagesDrift(
  workspaceRoot: string,
  environment: RunEnvironment | undefined,
): Promise<Difference[]> {
  const recorded = environment?.lockfiles['package-lock.json'];
  const file = join(workspaceRoot, 'package-lock.json');
  if (recorded === undefined || !existsSync(file)) return [];
  const installed = (await hashFile(file)).hash;
  return installed === recorded
    ? []
    : [{ metric: 'installed node_modules (workspace package-lock.json)', recorded, reproduced: installed }];
}

export class ReproduceFailedError extends CheckError<{ run: string; project: string; cause: string }> {
  constructor(run: RecordedRun, problem: string, cause?: unknown) {
    super('REPRODUCE_FAILED', `run ${run.id} (${run.record.project}): could not be re-run: ${problem}`, {
      data: {
        run: run.id,
        project: run.record.project,
        cause: isCairnError(cause) ? cause.code : problem,
      },
      hint: 'nothing was compared; fix the cause above (history, data in the store, the training command) and retry',
      cause,
    });
  }
}

export class ReproduceDiffersError extends CheckError<{
  run: string;
  project: string;
  differences: Difference[];
}> {
  constructor(report: ReproduceReport) {
    const first = report.differences[0]!;
    super(
      'REPRODUCE_DIFFERS',
      `run ${report.run} (${report.project}) did not reproduce: ${report.differences.length} difference(s), first ${first.metric}: recorded ${JSON.stringify(first.recorded)}, reproduced ${JSON.stringify(first.reproduced)}`,
      {
        data: { run: report.run, project: report.project, differences: report.differences },
        hint: report.environment.length
          ? `the environment changed since the record (${report.environment.map((d) => d.metric).join(', ')}): start there`
          : 'the environment matches the record: look for unseeded randomness or time in the training code (docs/testing.md)',
      },
    );
  }
}

/** Throws REPRODUCE_DIFFERS (exit 1) for a report that did not reproduce. */
export function assertReproduced(report: ReproduceReport): void {
  if (report.status === 'differs') throw new ReproduceDiffersError(report);
}

export interface ReproduceOptions {
  workspaceRoot: string;
  /** A run id (prefix) or a project, whose latest run is taken. */
  target: string;
  log?: (line: string) => void;
  output?: (chunk: string) => void;
}

/**
 * Re-runs a recorded training where nothing of today's workspace can leak in:
 * the files of the record's commit are written into a scratch folder outside
 * the workspace, its datasets come from the content store by the pointers of
 * that commit (so exactly the recorded bytes, verified), and the training runs
 * directly, not through Nx, so no cache can answer for it. Then the artifact
 * hash and every training metric are compared with the record. Anything that
 * stops the re-run is REPRODUCE_FAILED (exit 3): nothing was compared.
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const run = await findRun(workspaceRoot, options.target);
  const { record } = run;
  const commit = record.git?.commit;
  if (!commit)
    throw new ReproduceFailedError(run, 'the record has no git commit (it was trained outside git)');
  const notes: string[] = [];
  if (record.git?.dirty)
    notes.push(
      'the run was recorded from a working tree with uncommitted changes: its commit may not hold the code that trained',
    );
  const scratch = await mkdtemp(join(tmpdir(), 'cairn-reproduce-'));
  try {
    let reproduced: RunRecord;
    try {
      log(
        `cairn: reproducing run ${run.id} of ${record.project} (${record.startedAt}) at ${commit.slice(0, 12)}`,
      );
      const { skipped } = await checkoutCommitInto(workspaceRoot, commit, scratch);
      if (skipped.length) notes.push(`not checked out (symlinks, submodules): ${skipped.join(', ')}`);
      // The scratch copy reads the workspace's content store, so the data is the recorded bytes, verified.
      const config = await loadConfig(scratch);
      const { cacheDir } = await loadLayout(workspaceRoot);
      await saveConfig(scratch, { ...config, cache: { ...config.cache, dir: cacheDir } });
      notes.push(...(await pinRecordedData(scratch, record)));
      // Installed packages are not in git; the lockfile hash in the record tells whether they still match.
      if (existsSync(join(workspaceRoot, 'node_modules')))
        await symlink(join(workspaceRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');
      reproduced = await train({
        workspaceRoot: scratch,
        project: record.project,
        log,
        output: options.output,
      });
    } catch (error) {
      throw new ReproduceFailedError(
        run,
        isCairnError(error) ? `${error.code}: ${error.message}` : String(error),
        error,
      );
    }
    const found = differences(
      { 'artifact.hash': record.artifact.hash, ...record.metrics },
      { 'artifact.hash': reproduced.artifact.hash, ...reproduced.metrics },
    );
    const report: ReproduceReport = {
      run: run.id,
      project: record.project,
      commit,
      status: found.length === 0 ? 'reproduced' : 'differs',
      artifact: { recorded: record.artifact.hash, reproduced: reproduced.artifact.hash },
      differences: found,
      environment: [
        ...differences(flatEnvironment(record.environment), flatEnvironment(reproduced.environment)),
        ...(await installedPackagesDrift(workspaceRoot, record.environment)),
      ],
      notes,
    };
    return report;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
