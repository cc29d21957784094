import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cairnError } from '@cairn/errors';
import { cairnPath, CairnTree, readPointer } from '@cairn/store';
import {
  registerVersion,
  type ActorOptions,
  type ModelSignature,
  type ModelVersion,
  type VersionInput,
} from '@cairn/registry';
import type { DatasetConfig } from './config';
import { resolveTrainable, featureColumns, type Trainable } from './trainable';
import type { RunRecord } from './train';
import { discoverProjects, outputPaths, requireProject, type CairnProjects } from './workspace';

interface ColumnSpec {
  type?: string;
  categories?: Array<string | number | boolean>;
}

function columnSpecs(dataset: DatasetConfig): Record<string, ColumnSpec> {
  const columns = (dataset.validation as { columns?: Record<string, ColumnSpec> } | undefined)?.columns;
  return columns && typeof columns === 'object' ? columns : {};
}

/**
 * The model's signature from its first dataset's validation spec: the feature
 * columns in order with their declared types (`unknown` when undeclared) and
 * the label with its categories.
 */
export function modelSignature(projects: CairnProjects, trainable: Trainable): ModelSignature {
  const datasetName = trainable.config.datasets[0]!;
  const dataset = requireProject(projects.datasets, datasetName, 'dataset', trainable.configFile).config;
  const specs = columnSpecs(dataset);
  const label = trainable.config.label;
  const features = featureColumns(trainable.config, Object.keys(specs));
  const labels = specs[label]?.categories;
  return {
    inputs: features.map((name) => ({ name, type: specs[name]?.type ?? 'unknown' })),
    outputs: { name: label, ...(labels ? { labels } : {}) },
  };
}

function readRunHistory(workspaceRoot: string, project: string): RunRecord[] {
  const file = join(cairnPath(workspaceRoot, CairnTree.runs), `${project}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line) as RunRecord] : [];
      } catch {
        return [];
      }
    });
}

/**
 * The run that produced the model's current artifact: the train target's
 * run.json (an Nx output, so restored on a cache hit), else the newest run
 * in `.cairn/runs/<project>.jsonl` whose artifact is the one the pointer names.
 */
async function currentRun(workspaceRoot: string, trainable: Trainable): Promise<RunRecord> {
  const paths = outputPaths(trainable.root);
  const pointerFile = join(workspaceRoot, paths.artifactPointer);
  const artifactHash = existsSync(pointerFile) ? (await readPointer(pointerFile)).hash : undefined;
  const candidates: RunRecord[] = [];
  const runFile = join(workspaceRoot, paths.runRecord);
  if (existsSync(runFile)) {
    try {
      candidates.push(JSON.parse(readFileSync(runFile, 'utf8')) as RunRecord);
    } catch {
      // an unreadable run.json falls back to the run history
    }
  }
  candidates.push(...readRunHistory(workspaceRoot, trainable.name).reverse());
  const run = candidates.find(
    (record) =>
      record?.project === trainable.name &&
      typeof record.artifact?.hash === 'string' &&
      (artifactHash === undefined || record.artifact.hash === artifactHash),
  );
  if (!run) {
    throw cairnError('REGISTRY_NO_RUN', `${trainable.name}: no train run record for its current artifact`, {
      data: { project: trainable.name, runRecord: paths.runRecord, artifact: artifactHash ?? null },
      hint: `run \`nx run ${trainable.name}:train\` (or \`cairn task train ${trainable.name}\`) first`,
    });
  }
  return run;
}

/** The registry record of a train run: lineage (data, code, params) and the signature. */
export function versionFromRun(run: RunRecord, signature: ModelSignature): VersionInput {
  return {
    artifact: run.artifact,
    metrics: run.metrics,
    inputs: run.inputs,
    params: run.params,
    code: { commit: run.git?.commit ?? null, ...(run.git?.dirty ? { dirty: true } : {}) },
    run: { id: run.startedAt, project: run.project },
    signature,
  };
}

/** Registers the model project's current artifact, from the run that trained it, as its next version. */
export async function registerProject(
  workspaceRoot: string,
  project: string,
  options: ActorOptions & { why?: string } = {},
): Promise<{ version: ModelVersion; created: boolean }> {
  const projects = await discoverProjects(workspaceRoot);
  const trainable = resolveTrainable(projects, project);
  const run = await currentRun(workspaceRoot, trainable);
  return registerVersion(
    workspaceRoot,
    project,
    versionFromRun(run, modelSignature(projects, trainable)),
    options,
  );
}
