import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import {
  CONFIG_FILES,
  readConfig,
  type ConfigKind,
  type DatasetConfig,
  type ExperimentConfig,
  type ModelConfig,
} from './config';
import { CAIRN_DIR } from '@cairn/store/layout';
import { ProjectNotFoundError } from './errors';

/** Folders never searched for projects: dependencies, caches, build output, and every dot-folder (.git, .nx, .cairn…). */
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'tmp', 'coverage']);

/** Whether project discovery looks inside a folder of this name (the plugin's generators walk Nx's tree by it too). */
export function isSearchedDirectory(name: string): boolean {
  return !SKIPPED_DIRECTORIES.has(name) && !name.startsWith('.');
}

/** The kind of Cairn project a file name configures (`model.json` → model), if any. */
export function configKindOf(fileName: string): ConfigKind | undefined {
  return (Object.keys(CONFIG_FILES) as ConfigKind[]).find((kind) => CONFIG_FILES[kind] === fileName);
}

export interface ProjectRef<C> {
  kind: ConfigKind;
  name: string;
  /** Workspace-relative POSIX path of the project folder. */
  root: string;
  /** Workspace-relative POSIX path of the config file. */
  configFile: string;
  config: C;
}

export interface CairnProjects {
  datasets: Map<string, ProjectRef<DatasetConfig>>;
  models: Map<string, ProjectRef<ModelConfig>>;
  experiments: Map<string, ProjectRef<ExperimentConfig>>;
}

export function toPosix(path: string): string {
  return path.split(sep).join(posix.sep);
}

/** The Nx project name of a Cairn project: `name` from its config, else its folder name. */
export function projectName(config: { name?: string }, configFile: string): string {
  return config.name ?? basename(dirname(configFile));
}

async function findConfigFiles(root: string, dir = root, found: string[] = []): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (isSearchedDirectory(entry.name)) await findConfigFiles(root, join(dir, entry.name), found);
    } else if (entry.isFile() && configKindOf(entry.name)) {
      found.push(toPosix(relative(root, join(dir, entry.name))));
    }
  }
  return found;
}

/**
 * Finds every Cairn project under the workspace root without asking Nx, with
 * the same naming rule as the Nx plugin, so the CLI and the targets agree.
 */
export async function discoverProjects(workspaceRoot: string): Promise<CairnProjects> {
  const projects: CairnProjects = { datasets: new Map(), models: new Map(), experiments: new Map() };
  for (const configFile of (await findConfigFiles(workspaceRoot)).sort()) {
    const kind = configKindOf(basename(configFile))!;
    const config = await readConfig<{ name?: string }>(kind, join(workspaceRoot, configFile), configFile);
    const ref = {
      kind,
      name: projectName(config, configFile),
      root: posix.dirname(configFile),
      configFile,
      config,
    };
    const bucket =
      kind === 'dataset' ? projects.datasets : kind === 'model' ? projects.models : projects.experiments;
    (bucket as Map<string, typeof ref>).set(ref.name, ref);
  }
  return projects;
}

/** Files that mark a workspace root: a project is never searched for above one. */
const WORKSPACE_MARKERS = [CAIRN_DIR, 'nx.json', '.git'];

/**
 * The config file of the project a path belongs to (a data file, an artifact
 * folder): the nearest `dataset.json`/`model.json`/`experiment.json` of the
 * given kinds at or above it, not looking past the workspace root.
 */
export function findProjectConfig(path: string, kinds: readonly ConfigKind[]): string | undefined {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    for (const kind of kinds) {
      const candidate = join(dir, CONFIG_FILES[kind]);
      if (existsSync(candidate)) return candidate;
    }
    if (WORKSPACE_MARKERS.some((marker) => existsSync(join(dir, marker))) || dirname(dir) === dir) {
      return undefined;
    }
  }
}

/**
 * The name of the project a path belongs to (see findProjectConfig). A config
 * that does not parse names nothing but its folder: naming must not fail
 * where only a label is at stake.
 */
export function projectNameAt(path: string, kinds: readonly ConfigKind[]): string | undefined {
  const configFile = findProjectConfig(path, kinds);
  if (!configFile) return undefined;
  let config: { name?: unknown } = {};
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8')) as { name?: unknown };
  } catch {
    /* named by its folder */
  }
  return projectName(typeof config?.name === 'string' ? { name: config.name } : {}, configFile);
}

export function requireProject<C>(
  map: Map<string, ProjectRef<C>>,
  name: string,
  kind: 'dataset' | 'model',
  referencedFrom: string,
): ProjectRef<C> {
  const project = map.get(name);
  if (!project) throw new ProjectNotFoundError(referencedFrom, kind, name, [...map.keys()].sort());
  return project;
}

/**
 * Where a project's task outputs live, relative to the workspace root. Train
 * outputs are small (pointer, metrics, run record): the artifact itself stays
 * in the content store and is materialized (linked) beside them.
 */
export function outputPaths(projectRoot: string) {
  const base = posix.join('dist', 'cairn', toPosix(projectRoot));
  return {
    base,
    trainDir: posix.join(base, 'train'),
    artifactPointer: posix.join(base, 'train', 'model.cairn'),
    trainMetrics: posix.join(base, 'train', 'metrics.json'),
    runRecord: posix.join(base, 'train', 'run.json'),
    artifactDir: posix.join(base, 'model'),
    evaluateDir: posix.join(base, 'evaluate'),
    evaluateMetrics: posix.join(base, 'evaluate', 'metrics.json'),
    evaluateReport: posix.join(base, 'evaluate', 'report.md'),
    compareDir: posix.join(base, 'compare'),
    monitorDir: posix.join(base, 'monitor'),
    deployDir: posix.join(base, 'deploy'),
    serveLogDir: posix.join(base, 'serve', 'requests'),
    validateDir: posix.join(base, 'validate'),
    driftDir: posix.join(base, 'drift'),
    explainDir: posix.join(base, 'explain'),
    /** The tune target's study summary (best params, every trial). */
    tuneStudy: posix.join(base, 'tune', 'study.json'),
    /** The committed metrics file the compare gate reads at the base commit. */
    committedMetrics: posix.join(toPosix(projectRoot), 'metrics.json'),
  };
}
