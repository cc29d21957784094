import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import {
  CONFIG_FILES,
  ProjectNotFoundError,
  type ExperimentConfig,
  type ModelConfig,
} from '@cairn/pipeline/project-config';

/**
 * Edges from each model to its datasets and declared libraries, and from each
 * experiment to its model (and datasets), read from the config files. A name
 * that matches no project fails graph creation naming the file.
 */
export const createDependencies: CreateDependencies = (_options, context) => {
  const dependencies: RawProjectGraphDependency[] = [];
  const known = Object.keys(context.projects);
  const byKind = (tag: string) => known.filter((name) => context.projects[name]?.tags?.includes(tag)).sort();

  for (const [name, project] of Object.entries(context.projects)) {
    const tags = project.tags ?? [];
    const isModel = tags.includes('cairn:model');
    const isExperiment = tags.includes('cairn:experiment');
    if (!isModel && !isExperiment) continue;
    const configFile = join(project.root, CONFIG_FILES[isModel ? 'model' : 'experiment']);
    const absolute = join(context.workspaceRoot, configFile);
    if (!existsSync(absolute)) continue;
    const config = JSON.parse(readFileSync(absolute, 'utf8')) as Partial<ModelConfig & ExperimentConfig>;

    const add = (target: string, kind: 'dataset' | 'model' | 'project', candidates: string[]) => {
      if (!context.projects[target]) throw new ProjectNotFoundError(configFile, kind, target, candidates);
      dependencies.push({ source: name, target, type: DependencyType.static, sourceFile: configFile });
    };
    for (const dataset of config.datasets ?? []) add(dataset, 'dataset', byKind('cairn:dataset'));
    for (const library of config.dependsOn ?? []) add(library, 'project', known.sort());
    if (isExperiment && config.model) add(config.model, 'model', byKind('cairn:model'));
  }
  return dependencies;
};
