import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  isRecordableProject,
  newExperimentId,
  recordExperiment,
  type ExperimentRecord,
  type StepValue,
} from '@cairn/experiments';
import { findRepository, gitHead, worktreeChanges } from '@cairn/git';
import { hashBuffer, hashFile } from '@cairn/hash';
import { ArtifactInvalidError } from './errors';

/** What a train, evaluate or trial knows about itself when it ends. */
export interface RunOutcome {
  kind: ExperimentRecord['kind'];
  project: string;
  status: ExperimentRecord['status'];
  started: number;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  steps?: Record<string, StepValue[]>;
  data: Record<string, string>;
  artifacts: string[];
  /** Folders whose uncommitted changes count as the run's code (the model's, the project's). */
  codeFolders: string[];
  /** The code state when the caller already read it for its own record (train's run record). */
  code?: CodeState;
  nxTask?: string;
  study?: ExperimentRecord['study'];
  context?: Record<string, unknown>;
}

/**
 * BLAKE3 over the sorted list of changed files and their contents: equal for
 * two runs on the same uncommitted edits, undefined when the code is clean.
 */
export async function uncommittedHash(workspaceRoot: string, folders: string[]): Promise<string | undefined> {
  const changed = await worktreeChanges(workspaceRoot, folders);
  if (changed.length === 0) return undefined;
  const repository = findRepository(workspaceRoot)!;
  const lines: string[] = [];
  for (const file of changed) {
    const absolute = join(repository.dir, file);
    lines.push(`${file}\0${existsSync(absolute) ? (await hashFile(absolute)).hash : 'deleted'}`);
  }
  return hashBuffer(lines.join('\n'));
}

function finiteNumbers(values: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]),
    ),
  );
}

/** The commit a run's code is at, and the hash of its uncommitted changes (undefined when clean). */
export interface CodeState {
  commit?: string;
  uncommitted?: string;
}

export async function codeState(workspaceRoot: string, codeFolders: string[]): Promise<CodeState> {
  const head = await gitHead(workspaceRoot);
  if (!head) return {};
  const uncommitted = await uncommittedHash(workspaceRoot, codeFolders);
  return { commit: head.commit, ...(uncommitted ? { uncommitted } : {}) };
}

/** The folders whose uncommitted changes count as a trainable's code: its code folder and its own. */
export function codeFoldersOf(trainable: { codeRoot: string; root: string }): string[] {
  return [...new Set([trainable.codeRoot, trainable.root])];
}

/**
 * Records a run in git (`refs/cairn/exps/<project>/<id>`) and returns the
 * record; outside a git repository there is nowhere to keep it, so nothing is
 * recorded (undefined) and the run itself is unaffected; the same for a
 * project whose name cannot be part of a ref (said in the log).
 */
export async function trackRun(
  workspaceRoot: string,
  outcome: RunOutcome,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<ExperimentRecord | undefined> {
  if (!findRepository(workspaceRoot)) return undefined;
  if (!isRecordableProject(outcome.project)) {
    // A folder-derived project name (spaces, other characters) cannot name a git ref: the run stands, unrecorded.
    log(
      `cairn: ${outcome.project}: not recorded as an experiment (project names of letters, digits and . _ + - are; set "name" in its config)`,
    );
    return undefined;
  }
  const created = new Date(outcome.started);
  const { commit, uncommitted } = outcome.code ?? (await codeState(workspaceRoot, outcome.codeFolders));
  const record: ExperimentRecord = {
    id: newExperimentId(created),
    project: outcome.project,
    kind: outcome.kind,
    status: outcome.status,
    created: created.toISOString(),
    durationMs: Date.now() - outcome.started,
    params: outcome.params,
    metrics: finiteNumbers(outcome.metrics),
    ...(outcome.steps && Object.keys(outcome.steps).length ? { steps: outcome.steps } : {}),
    data: outcome.data,
    ...(commit ? { commit } : {}),
    ...(uncommitted ? { uncommitted } : {}),
    host: hostname(),
    artifacts: outcome.artifacts,
    // A record is written by a task that ran: a cache hit replays outputs and runs nothing.
    ...(outcome.nxTask ? { nx: { task: outcome.nxTask, cache: 'miss' as const } } : {}),
    ...(outcome.study ? { study: outcome.study } : {}),
    ...(outcome.context ? { context: outcome.context } : {}),
  };
  await recordExperiment(workspaceRoot, record);
  return record;
}

/**
 * Reads the per-step values a trainer appended to `CAIRN_STEPS_FILE`, one
 * JSON object per line: `{"step": 3, "loss": 0.2, "accuracy": 0.9}`. A line
 * that is not such an object fails the run with the line named.
 */
export async function readStepsFile(file: string, project: string): Promise<Record<string, StepValue[]>> {
  if (!existsSync(file)) return {};
  const steps: Record<string, StepValue[]> = {};
  const lines = (await readFile(file, 'utf8')).split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      Number.isInteger((entry as { step?: unknown }).step) &&
      Object.entries(entry).every(
        ([key, value]) => key === 'step' || (typeof value === 'number' && Number.isFinite(value)),
      );
    if (!valid) {
      throw new ArtifactInvalidError(
        project,
        `CAIRN_STEPS_FILE line ${index + 1}`,
        'is not a JSON object of an integer "step" and finite numbers (e.g. {"step": 3, "loss": 0.2})',
      );
    }
    const { step, ...values } = entry as Record<string, number>;
    for (const [name, value] of Object.entries(values)) (steps[name] ??= []).push({ step: step!, value });
  }
  return steps;
}
