import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  formatFiles,
  generateFiles,
  joinPathFragments,
  readJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { cairnError } from '@cairn/errors';
import { CONFIG_FILES, isSearchedDirectory, projectName } from '@cairn/pipeline/project-config';
import { inferTask, type InferredColumn } from '../../lib/infer-task';
import { addMissingDependencies } from '../../lib/package-json';
import { templatesRoot } from '../../lib/templates';
import type { ModelGeneratorSchema } from './schema';

interface DatasetJson {
  name?: string;
  data: string;
  label?: string;
  validation?: { columns?: Record<string, InferredColumn> };
}

function findDataset(tree: Tree, name: string): { root: string; config: DatasetJson } {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir ? posix.join(dir, child) : child;
      if (child === CONFIG_FILES.dataset) found.push(dir);
      else if (!tree.isFile(path) && isSearchedDirectory(child)) visit(path);
    }
  };
  visit('');
  const names: string[] = [];
  for (const root of found) {
    const configFile = posix.join(root, CONFIG_FILES.dataset);
    const config = readJson<DatasetJson>(tree, configFile);
    const datasetName = projectName(config, configFile);
    names.push(datasetName);
    if (datasetName === name) return { root, config };
  }
  throw cairnError('PROJECT_NOT_FOUND', `--dataset ${name}: no dataset project of that name`, {
    data: { name, known: names },
    hint: names.length
      ? `known datasets: ${names.sort().join(', ')}`
      : 'create one first with `nx g @cairn/nx:dataset`',
  });
}

/** The packages a template's code imports (and, as devDependencies, its tests run with). */
interface TemplateDependencies {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The packages a template's code imports (`templates/model-<template>/dependencies.json`, if any). */
function templateDependencies(templateRoot: string): TemplateDependencies {
  const file = join(templateRoot, 'dependencies.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TemplateDependencies) : {};
}

/**
 * The Python template's test command: pytest when the interpreter the
 * template trains with has it (it runs unittest modules too), else unittest.
 */
function pythonTestCommand(): string {
  const pytest = spawnSync('/usr/bin/python3', ['-c', 'import pytest'], { stdio: 'ignore' });
  return pytest.status === 0
    ? '/usr/bin/python3 -B -m pytest -q -p no:cacheprovider test_model.py'
    : '/usr/bin/python3 -B -m unittest test_model';
}

/**
 * Scaffolds a model project from `templates/model-<template>` against an
 * existing dataset, adds the packages its code imports to the workspace's
 * package.json and installs them, so the model trains right away.
 */
export async function modelGenerator(tree: Tree, options: ModelGeneratorSchema): Promise<GeneratorCallback> {
  const template = options.template ?? 'ts';
  const dataset = findDataset(tree, options.dataset);
  const label = options.label ?? dataset.config.label;
  if (!label) {
    throw cairnError(
      'LABEL_REQUIRED',
      `--label is required: dataset ${options.dataset} declares no label column`,
      {
        data: { dataset: options.dataset },
        hint: 'pass --label <column> or add "label" to its dataset.json',
      },
    );
  }
  const directory = options.directory ?? joinPathFragments('models', options.name);
  const templateRoot = join(templatesRoot(), `model-${template}`);
  const source = join(templateRoot, 'files');
  if (!existsSync(source)) {
    throw cairnError('TEMPLATE_NOT_FOUND', `template "${template}" is not installed (${source})`, {
      data: { template },
    });
  }
  generateFiles(tree, source, directory, {
    name: options.name,
    dataset: options.dataset,
    label,
    task: options.task ?? inferTask(dataset.config.validation?.columns?.[label]).task,
    algorithm: options.algorithm ?? 'random-forest',
    schemaPath: posix.join(
      posix.relative(directory, '.') || '.',
      'node_modules/@cairn/nx/schemas/model.schema.json',
    ),
    ...(template === 'python' ? { pythonTestCommand: pythonTestCommand() } : {}),
    tmpl: '',
  });
  const install = addMissingDependencies(tree, templateDependencies(templateRoot));
  if (!options.skipFormat) await formatFiles(tree);
  return install;
}

export default modelGenerator;
