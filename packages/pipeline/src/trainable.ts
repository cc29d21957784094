import type { ModelConfig } from './config';
import { requireProject, type CairnProjects } from './workspace';
import { ProjectNotFoundError } from './errors';

/** What train/evaluate need to know about a model or an experiment of one. */
export interface Trainable {
  name: string;
  kind: 'model' | 'experiment';
  /** Project folder (outputs are keyed by it). */
  root: string;
  configFile: string;
  /** Folder the training command runs in (the model's, for an experiment too). */
  codeRoot: string;
  /** The effective model config: an experiment's overrides merged over its model's. */
  config: ModelConfig;
}

export function resolveTrainable(projects: CairnProjects, name: string): Trainable {
  const model = projects.models.get(name);
  if (model) {
    return {
      name,
      kind: 'model',
      root: model.root,
      configFile: model.configFile,
      codeRoot: model.root,
      config: model.config,
    };
  }
  const experiment = projects.experiments.get(name);
  if (!experiment) {
    throw new ProjectNotFoundError(
      '(command line)',
      'model',
      name,
      [...projects.models.keys(), ...projects.experiments.keys()].sort(),
    );
  }
  const base = requireProject(projects.models, experiment.config.model, 'model', experiment.configFile);
  const config: ModelConfig = {
    ...base.config,
    params: { ...(base.config.params ?? {}), ...(experiment.config.params ?? {}) },
    datasets: experiment.config.datasets ?? base.config.datasets,
    seed: experiment.config.seed ?? base.config.seed,
  };
  return {
    name,
    kind: 'experiment',
    root: experiment.root,
    configFile: experiment.configFile,
    codeRoot: base.root,
    config,
  };
}

export function featureColumns(config: ModelConfig, columns: string[]): string[] {
  return config.features ?? columns.filter((column) => column !== config.label);
}
