import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readExperiment } from '@cairn/experiments';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { ProjectNotFoundError } from './errors';
import { discoverProjects } from './workspace';

/**
 * Writes a recorded run's params into the config of the project it ran for
 * (model.json, or experiment.json for an experiment or a tuning study): a
 * plain file change to review and commit like any other. Every other field
 * of the config is kept as it was.
 */
export async function applyExperiment(
  workspaceRoot: string,
  id: string,
): Promise<{
  id: string;
  project: string;
  configFile: string;
  params: Record<string, unknown>;
  changed: boolean;
}> {
  const record = await readExperiment(workspaceRoot, id);
  const projects = await discoverProjects(workspaceRoot);
  const project = projects.models.get(record.project) ?? projects.experiments.get(record.project);
  if (!project) {
    throw new ProjectNotFoundError(
      `experiment ${record.id}`,
      'model',
      record.project,
      [...projects.models.keys(), ...projects.experiments.keys()].sort(),
    );
  }
  const file = join(workspaceRoot, project.configFile);
  const text = await readFile(file, 'utf8');
  const config = JSON.parse(text) as Record<string, unknown>;
  const changed = JSON.stringify(config.params ?? {}) !== JSON.stringify(record.params);
  if (changed) {
    config.params = record.params;
    await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`);
  }
  return {
    id: record.id,
    project: record.project,
    configFile: project.configFile,
    params: record.params,
    changed,
  };
}
