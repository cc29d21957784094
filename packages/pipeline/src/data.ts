import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { cairnError } from '@cairn/errors';
import { readPointer, status, type Pointer } from '@cairn/store';
import type { DatasetConfig } from './config';
import { DataModifiedError } from './errors';
import { ensureObjectsLocal, materializeVerified } from './fetch-remote';
import { resolveTrainable } from './trainable';
import { discoverProjects, requireProject, type ProjectRef } from './workspace';

export interface ResolvedDataset {
  name: string;
  root: string;
  /** Absolute path of the materialized data. */
  dataPath: string;
  /** Workspace-relative path of the pointer file. */
  pointerFile: string;
  pointer: Pointer;
  config: DatasetConfig;
}

/**
 * Makes sure a dataset's bytes are on disk and match its committed pointer:
 * restores them from the content store when missing, and refuses to go on
 * when the file was edited without `cairn add` (the pointer, which is what
 * Nx hashed, would no longer describe the data being trained on).
 */
export async function ensureDataset(
  workspaceRoot: string,
  dataset: ProjectRef<DatasetConfig>,
): Promise<ResolvedDataset> {
  const relativeData = posix.join(dataset.root, dataset.config.data);
  const pointerFile = `${relativeData}.cairn`;
  const dataPath = join(workspaceRoot, relativeData);
  if (!existsSync(join(workspaceRoot, pointerFile))) {
    throw cairnError(
      'POINTER_MISSING',
      `${dataset.configFile}: data "${dataset.config.data}" has no pointer file ${pointerFile}`,
      {
        data: { file: dataset.configFile, pointerFile },
        hint: `run \`npx cairn add ${relativeData}\` and commit ${pointerFile}`,
      },
    );
  }
  const pointer = await readPointer(join(workspaceRoot, pointerFile));
  const [entry] = await status(workspaceRoot, [relativeData]);
  const state = entry?.state ?? 'missing';
  if (state === 'modified') throw new DataModifiedError([{ path: relativeData, pointerFile }]);
  if (state !== 'clean') {
    await ensureObjectsLocal(workspaceRoot, pointer, pointerFile);
    // The data path comes from the dataset's config: a refusal names that file and field.
    await materializeVerified(workspaceRoot, pointer, dataPath, pointerFile, {
      source: { file: dataset.configFile, field: '/data' },
    });
  }
  return { name: dataset.name, root: dataset.root, dataPath, pointerFile, pointer, config: dataset.config };
}

/** Materializes the data of a dataset project, or of every dataset a model or experiment trains on. */
export async function ensureProjectData(workspaceRoot: string, project: string): Promise<ResolvedDataset[]> {
  const projects = await discoverProjects(workspaceRoot);
  const dataset = projects.datasets.get(project);
  if (dataset) return [await ensureDataset(workspaceRoot, dataset)];
  const trainable = resolveTrainable(projects, project);
  const resolved: ResolvedDataset[] = [];
  for (const name of trainable.config.datasets) {
    resolved.push(
      await ensureDataset(
        workspaceRoot,
        requireProject(projects.datasets, name, 'dataset', trainable.configFile),
      ),
    );
  }
  return resolved;
}
