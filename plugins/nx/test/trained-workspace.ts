import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { add, initWorkspace } from '@cairn/store';
import {
  gitIn,
  POINTS_MODEL,
  writePointsWorkspace,
  writeWorkspaceFile,
} from '../../../tools/test-support/src/points-workspace';

/**
 * A real workspace for the executors: dataset `points` (stored), model `m`,
 * experiment `e` of it, and model `broken` whose training command exits 3.
 */
export async function executorWorkspace(): Promise<{ root: string; cleanup: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'cairn-executors-'));
  writePointsWorkspace(root);
  writeWorkspaceFile(
    root,
    'experiments/e/experiment.json',
    JSON.stringify({ model: 'm', params: { depth: 5 } }),
  );
  writeWorkspaceFile(
    root,
    'models/broken/model.json',
    JSON.stringify({ ...POINTS_MODEL, train: { command: 'node -e "process.exit(3)"' } }),
  );
  await initWorkspace(root);
  await add(root, ['data/points/points.csv']);
  gitIn(root, 'init', '-q', '-b', 'main');
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '-qm', 'init');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** What Nx hands an executor, reduced to what Cairn's read: the workspace root and the project. */
export function executorContext(root: string, projectName?: string): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: {} },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  };
}

/** A task graph of `target` tasks for `projects`, with in-batch dependencies. */
export function taskGraph(
  target: string,
  projects: string[],
  dependencies: Record<string, string[]> = {},
): TaskGraph {
  const id = (project: string) => `${project}:${target}`;
  const tasks = Object.fromEntries(
    projects.map((project) => [
      id(project),
      { id: id(project), target: { project, target }, overrides: {}, outputs: [], cache: true },
    ]),
  );
  const deps = Object.fromEntries(
    projects.map((project) => [id(project), (dependencies[project] ?? []).map(id)]),
  );
  return {
    roots: projects.filter((project) => !dependencies[project]?.length).map(id),
    tasks,
    dependencies: deps,
    continuousDependencies: {},
  };
}
