import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  readCachedProjectGraph,
  type PreTasksExecution,
  type ProjectGraph,
  type TargetConfiguration,
} from '@nx/devkit';
import { formatError, isCairnError } from '@cairn/errors';
import { discoverProjects } from '@cairn/pipeline/project-config';

/**
 * The targets a command line asks for, or `undefined` when it cannot tell
 * (then the check runs: refusing to guess is the safe side). Covers the forms
 * that run tasks: `run-many`/`affected` with `-t`/`--targets`/`--target`,
 * `run project:target[:configuration]`, `project:target` and `target project`.
 */
export function requestedTargets(argv: readonly string[]): string[] | undefined {
  const args = argv.slice(2);
  const [command, first] = args;
  if (command === undefined) return undefined;
  if (command === 'run-many' || command === 'affected') {
    const targets: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const match = /^(?:-t|--targets?)(?:=(.*))?$/.exec(args[i]!);
      if (!match) continue;
      if (match[1] !== undefined) targets.push(...match[1].split(','));
      else
        for (; i + 1 < args.length && !args[i + 1]!.startsWith('-'); i++)
          targets.push(...args[i + 1]!.split(','));
    }
    const named = targets.map((target) => target.trim()).filter(Boolean);
    return named.length > 0 ? named : undefined;
  }
  if (command === 'run') return first?.includes(':') ? [first.split(':')[1]!] : undefined;
  if (command.startsWith('-')) return undefined;
  return command.includes(':') ? [command.split(':')[1]!] : [command];
}

function dependsOnTargetNames(target: TargetConfiguration): string[] | undefined {
  const names: string[] = [];
  for (const entry of target.dependsOn ?? []) {
    const name = typeof entry === 'string' ? entry.replace(/^\^/, '').split(':').pop()! : entry.target;
    // A glob (`build-*`) could name anything: treat it as reaching every target.
    if (name === undefined || name.includes('*')) return undefined;
    names.push(name);
  }
  return names;
}

/**
 * Whether running `requested` can run (or serve from cache) a Cairn target:
 * one of them is a Cairn target, or reaches one through `dependsOn` on any
 * project (by name, across projects: an over-approximation that never misses).
 */
export function involvesCairnTargets(graph: ProjectGraph, requested: readonly string[]): boolean {
  const cairnTargets = new Set<string>();
  const reaches = new Map<string, Set<string>>();
  for (const node of Object.values(graph.nodes)) {
    for (const [name, target] of Object.entries(node.data.targets ?? {})) {
      if (target.metadata?.technologies?.includes('cairn')) cairnTargets.add(name);
      const next = dependsOnTargetNames(target);
      if (next === undefined) return true;
      const known = reaches.get(name) ?? new Set<string>();
      for (const dependency of next) known.add(dependency);
      reaches.set(name, known);
    }
  }
  const seen = new Set<string>();
  const pending = [...requested];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (cairnTargets.has(name)) return true;
    pending.push(...(reaches.get(name) ?? []));
  }
  return false;
}

/** Workspace-relative paths of the data of every dataset project in the graph. */
function datasetDataPaths(workspaceRoot: string, graph: ProjectGraph): string[] {
  const paths: string[] = [];
  for (const node of Object.values(graph.nodes)) {
    if (!node.data.tags?.includes('cairn:dataset')) continue;
    try {
      const config = JSON.parse(readFileSync(join(workspaceRoot, node.data.root, 'dataset.json'), 'utf8'));
      if (typeof config?.data === 'string') paths.push(posix.join(node.data.root, config.data));
    } catch {
      /* graph creation validated it; a file removed since then has no data to check */
    }
  }
  return paths;
}

function cachedGraph(): ProjectGraph | undefined {
  try {
    return readCachedProjectGraph();
  } catch {
    return undefined;
  }
}

/**
 * Runs before Nx runs any task of a command, cache hits included (local or
 * remote): a dataset whose working copy differs from its pointer would make
 * every task hashed from that pointer run on, or be served for, other bytes,
 * so the whole run is refused with DATA_MODIFIED. Commands that cannot reach a
 * Cairn target (`nx lint`) are not checked.
 */
export const preTasksExecution: PreTasksExecution = async (_options, context) => {
  const requested = requestedTargets(context.argv);
  const graph = cachedGraph();
  if (graph && requested && !involvesCairnTargets(graph, requested)) return;
  const dataPaths = graph
    ? datasetDataPaths(context.workspaceRoot, graph)
    : [...(await discoverProjects(context.workspaceRoot)).datasets.values()].map((dataset) =>
        posix.join(dataset.root, dataset.config.data),
      );
  // Loaded only when a check is due: graph creation never pays for the store.
  const { assertDataUnmodified } = await import('@cairn/pipeline/data-state');
  try {
    await assertDataUnmodified(context.workspaceRoot, dataPaths);
  } catch (error) {
    // Nx prints the first line as the title and the rest as the body; bad data is not a bug, so no stack.
    if (isCairnError(error)) {
      error.message = formatError(error);
      error.stack = undefined;
    }
    throw error;
  }
};
