import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cairnError } from '@cairn/errors';
import {
  checkSpace,
  createPruner,
  createSampler,
  listExperiments,
  readExperiment,
  type Curve,
  type IndexedRecord,
  type Params,
  type PrunerSpec,
  type SearchSpace,
  type TrialState,
} from '@cairn/experiments';
import { writeJsonAtomic } from '@cairn/fs-atomic';
import { committedTreeId, findRepository } from '@cairn/git';
import { hashBuffer } from '@cairn/hash';
import type { ExperimentConfig } from './config';
import { holdoutMetrics } from './evaluate';
import { scratchDir } from './scratch';
import { trackRun, uncommittedHash } from './track';
import { prepareData, runTraining, type PreparedData } from './train';
import { discoverProjects, outputPaths, type CairnProjects } from './workspace';

export interface TuneOptions {
  workspaceRoot: string;
  project: string;
  log?: (line: string) => void;
  output?: (chunk: string) => void;
  projects?: CairnProjects;
  nxTask?: string;
}

export interface TrialSummary {
  number: number;
  id?: string;
  params: Params;
  value?: number;
  state: 'complete' | 'pruned' | 'failed';
  /** Where the result came from: this run, or an earlier record with the same params and inputs. */
  source: 'ran' | 'reused';
}

export interface StudyResult {
  project: string;
  study: string;
  objective: { metric: string; direction: 'maximize' | 'minimize' };
  best?: TrialSummary;
  trials: TrialSummary[];
  /** Finished trials of earlier studies of the project given to the sampler as prior knowledge. */
  warmStartTrials: number;
}

type TuneConfig = NonNullable<ExperimentConfig['tune']>;

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** What makes two trials the same computation, besides their params: data, code, command, split, objective. */
async function inputsIdentity(workspaceRoot: string, data: PreparedData, tune: TuneConfig) {
  const { trainable } = data;
  const inRepository = !!findRepository(workspaceRoot);
  return {
    data: Object.fromEntries(data.datasets.map((d) => [d.name, d.pointer.hash])),
    code: inRepository
      ? {
          tree: await committedTreeId(workspaceRoot, trainable.codeRoot),
          uncommitted: await uncommittedHash(workspaceRoot, [trainable.codeRoot]),
        }
      : undefined,
    command: trainable.config.train.command,
    seed: data.seed,
    split: data.testFraction,
    objective: tune.objective,
  };
}

function objectiveOf(record: IndexedRecord, metric: string): number | undefined {
  const value = record.metrics[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Runs (or resumes) the hyperparameter search an experiment declares in
 * `tune`. Each trial trains the model with the sampled params merged over
 * the experiment's, scores it on the held-out split, and is recorded in git
 * as a `trial` experiment keyed by its params and inputs, so:
 * - rerunning the study replays its finished trials instead of training again
 *   (and `cairn exp pull` brings another machine's trials);
 * - a suggestion whose params and inputs match any finished trial of the
 *   project reuses that result;
 * - with `warmStart`, earlier studies' trials over the same params inform the
 *   sampler without counting toward the budget.
 */
export async function tune(options: TuneOptions): Promise<StudyResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const projects = options.projects ?? (await discoverProjects(workspaceRoot));
  const experiment = projects.experiments.get(options.project);
  const tuneConfig = experiment?.config.tune;
  if (!experiment || !tuneConfig) {
    throw cairnError('TUNE_NOT_CONFIGURED', `${experiment?.configFile ?? options.project}: no tune block`, {
      data: { project: options.project, file: experiment?.configFile },
      hint: 'declare "tune": { "space": …, "objective": { "metric", "direction" } } in an experiment.json (docs/experiments.md)',
    });
  }
  const source = experiment.configFile;
  const space = tuneConfig.space as SearchSpace;
  checkSpace(space, source);
  const method = tuneConfig.method ?? 'tpe';
  const { metric, direction } = tuneConfig.objective;
  const objectiveSource = tuneConfig.objective.source ?? 'holdout';
  const seed = tuneConfig.seed ?? 0;
  const budgetTrials =
    tuneConfig.budget?.trials ?? (tuneConfig.budget?.minutes ? Number.POSITIVE_INFINITY : 20);
  const deadline = tuneConfig.budget?.minutes
    ? Date.now() + tuneConfig.budget.minutes * 60_000
    : Number.POSITIVE_INFINITY;
  const parallelism = tuneConfig.parallelism ?? 1;

  const data = await prepareData(workspaceRoot, options.project, projects);
  const identity = await inputsIdentity(workspaceRoot, data, tuneConfig);
  const study = hashBuffer(
    sortedJson({ space, method, seed, tpe: tuneConfig.tpe, pruner: tuneConfig.pruner, identity }),
  ).slice(0, 16);
  const trialKey = (params: Params) =>
    hashBuffer(sortedJson({ params: { ...(data.trainable.config.params ?? {}), ...params }, identity }));

  // Earlier records of this project: this study's own trials, reusable results, warm-start knowledge.
  const records = (
    await listExperiments(workspaceRoot).catch(() => ({ records: [] as IndexedRecord[] }))
  ).records
    .filter((record) => record.project === options.project && record.kind === 'trial')
    .reverse();
  const finishedByKey = new Map<string, IndexedRecord>();
  for (const record of records) {
    const key = record.context?.trialKey;
    if (
      typeof key === 'string' &&
      record.status === 'succeeded' &&
      objectiveOf(record, metric) !== undefined
    ) {
      finishedByKey.set(key, record);
    }
  }
  const spaceNames = Object.keys(space);
  const paramsOf = (record: IndexedRecord): Params =>
    Object.fromEntries(spaceNames.map((name) => [name, record.params[name] as Params[string]]));
  const own = records.filter((record) => record.study?.name === study);
  const warm =
    tuneConfig.warmStart === false
      ? []
      : records.filter(
          (record) =>
            record.study?.name !== study &&
            record.status === 'succeeded' &&
            objectiveOf(record, metric) !== undefined &&
            spaceNames.every((name) => name in record.params),
        );

  const history: TrialState[] = warm.map((record) => ({
    params: paramsOf(record),
    state: 'complete',
    value: objectiveOf(record, metric),
  }));
  const trials: TrialSummary[] = [];
  const curves: Curve[] = [];
  for (const record of own.sort((a, b) => a.study!.trial - b.study!.trial)) {
    const state =
      record.status === 'succeeded' ? 'complete' : record.status === 'pruned' ? 'pruned' : 'failed';
    history.push({ params: paramsOf(record), state, value: objectiveOf(record, metric) });
    trials.push({
      number: record.study!.trial,
      id: record.id,
      params: paramsOf(record),
      value: objectiveOf(record, metric),
      state,
      source: 'reused',
    });
  }
  if (own.length) log(`cairn: study ${study}: ${own.length} finished trial(s) replayed from the records`);
  if (warm.length) log(`cairn: study ${study}: warm start from ${warm.length} earlier trial(s)`);

  // A pruner compares a running trial with the curves of finished ones: this study's and earlier ones'.
  if (tuneConfig.pruner) {
    for (const record of [...warm, ...own].slice(-200)) {
      if (record.status !== 'succeeded' || !record.stepCounts?.[metric]) continue;
      const full = await readExperiment(workspaceRoot, record.id);
      curves.push(new Map((full.steps?.[metric] ?? []).map((point) => [point.step, point.value])));
    }
  }
  const sampler = createSampler(method, space, {
    seed: seed + own.length,
    direction,
    tpe: tuneConfig.tpe,
    source,
  });
  const pruner = createPruner(tuneConfig.pruner as PrunerSpec | undefined, direction);
  const gridSize = method === 'grid' ? ((sampler as { size?: number }).size ?? Infinity) : Infinity;
  const budget = Math.min(budgetTrials, gridSize);

  const runTrial = async (number: number, params: Params, pending: TrialState): Promise<void> => {
    const started = Date.now();
    const key = trialKey(params);
    const known = finishedByKey.get(key);
    const merged = { ...(data.trainable.config.params ?? {}), ...params };
    const common = {
      kind: 'trial' as const,
      project: options.project,
      started,
      params: merged,
      data: identity.data,
      codeFolders: [data.trainable.codeRoot, experiment.root],
      nxTask: options.nxTask,
      study: { name: study, trial: number },
    };
    if (known) {
      const value = objectiveOf(known, metric)!;
      const record = await trackRun(
        workspaceRoot,
        {
          ...common,
          status: 'succeeded',
          metrics: known.metrics,
          artifacts: [],
          context: { trialKey: key, reusedFrom: known.id, objective: tuneConfig.objective },
        },
        log,
      );
      Object.assign(pending, { state: 'complete', value });
      trials.push({ number, id: record?.id, params, value, state: 'complete', source: 'reused' });
      log(`cairn: trial ${number}: ${metric} ${value} (reused ${known.id})`);
      return;
    }
    const trialData: PreparedData = {
      ...data,
      trainable: { ...data.trainable, config: { ...data.trainable.config, params: merged } },
    };
    const scratch = await scratchDir(workspaceRoot, 'trial');
    const finishedCurves = [...curves];
    try {
      const artifactDir = join(scratch, 'artifact');
      const watch = pruner
        ? (steps: Record<string, { step: number; value: number }[]>) => {
            const points = steps[metric];
            const last = points?.[points.length - 1];
            return last !== undefined && pruner.shouldPrune(last.step, last.value, finishedCurves);
          }
        : undefined;
      let result;
      try {
        result = await runTraining(
          workspaceRoot,
          trialData,
          data.train,
          artifactDir,
          () => undefined,
          options.output ?? (() => undefined),
          watch,
        );
      } catch (error) {
        await trackRun(
          workspaceRoot,
          {
            ...common,
            status: 'failed',
            metrics: {},
            artifacts: [],
            context: { trialKey: key },
          },
          log,
        );
        Object.assign(pending, { state: 'failed' });
        trials.push({ number, params, state: 'failed', source: 'ran' });
        log(`cairn: trial ${number} failed: ${(error as Error).message}`);
        return;
      }
      const curve = new Map((result.steps[metric] ?? []).map((point) => [point.step, point.value]));
      if (result.stopped) {
        const last = [...curve.values()].pop();
        const record = await trackRun(
          workspaceRoot,
          {
            ...common,
            status: 'pruned',
            metrics: last === undefined ? {} : { [metric]: last },
            steps: result.steps,
            artifacts: [],
            context: { trialKey: key },
          },
          log,
        );
        Object.assign(pending, { state: 'pruned', value: last });
        trials.push({ number, id: record?.id, params, value: last, state: 'pruned', source: 'ran' });
        log(`cairn: trial ${number} pruned at step ${[...curve.keys()].pop()}`);
        return;
      }
      const metrics =
        objectiveSource === 'train'
          ? result.metrics
          : { ...result.metrics, ...(await holdoutMetrics(trialData, artifactDir)) };
      const value = typeof metrics[metric] === 'number' ? (metrics[metric] as number) : undefined;
      const record = await trackRun(
        workspaceRoot,
        {
          ...common,
          status: value === undefined ? 'failed' : 'succeeded',
          metrics,
          steps: result.steps,
          artifacts: [],
          context: { trialKey: key, objective: tuneConfig.objective },
        },
        log,
      );
      if (value === undefined) log(`cairn: trial ${number}: the metric ${metric} was not reported`);
      curves.push(curve);
      Object.assign(pending, { state: value === undefined ? 'failed' : 'complete', value });
      trials.push({
        number,
        id: record?.id,
        params,
        value,
        state: value === undefined ? 'failed' : 'complete',
        source: 'ran',
      });
      log(`cairn: trial ${number}: ${metric} ${value} ${JSON.stringify(params)}`);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };

  const running = new Set<Promise<void>>();
  let next = own.length ? Math.max(...own.map((record) => record.study!.trial)) + 1 : 0;
  while ((trials.length + running.size < budget && Date.now() < deadline) || running.size > 0) {
    while (running.size < parallelism && trials.length + running.size < budget && Date.now() < deadline) {
      const params = sampler.suggest(history);
      const pending: TrialState = { params, state: 'running' };
      history.push(pending);
      const promise: Promise<void> = runTrial(next++, params, pending).finally(() => running.delete(promise));
      running.add(promise);
    }
    if (running.size > 0) await Promise.race(running);
  }

  trials.sort((a, b) => a.number - b.number);
  const complete = trials.filter((trial) => trial.state === 'complete' && trial.value !== undefined);
  const best = complete.reduce<TrialSummary | undefined>(
    (winner, trial) =>
      !winner || (direction === 'maximize' ? trial.value! > winner.value! : trial.value! < winner.value!)
        ? trial
        : winner,
    undefined,
  );
  const result: StudyResult = {
    project: options.project,
    study,
    objective: { metric, direction },
    best,
    trials,
    warmStartTrials: warm.length,
  };
  await writeJsonAtomic(join(workspaceRoot, outputPaths(experiment.root).tuneStudy), result);
  const ran = trials.filter((trial) => trial.source === 'ran').length;
  log(
    `cairn: study ${study}: ${trials.length} trial(s), ${ran} run now, ${trials.length - ran} reused; best ${metric} ${best?.value ?? 'n/a'} ${best ? JSON.stringify(best.params) : ''}${best?.id ? ` (cairn exp apply ${best.id})` : ''}`,
  );
  return result;
}
