import { availableParallelism } from 'node:os';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { formatError } from '@cairn/errors';

export type BatchStep = 'train' | 'evaluate';

export interface StepOptions {
  project?: string;
  cv?: number;
}

export interface TaskOutcome {
  task: string;
  result: { success: boolean; terminalOutput: string; startTime: number; endTime: number };
}

/**
 * Nx hands a batch executor every `train` (or `evaluate`) task of a run at
 * once, in one process: the libraries load and the projects are discovered
 * once, instead of once per task. Tasks run as soon as their in-batch
 * dependencies are done, a few at a time (`NX_PARALLEL`, default 3, as Nx),
 * and each task's output is captured for Nx to show and cache.
 */
export async function* runBatch(
  step: BatchStep,
  taskGraph: TaskGraph,
  inputs: Record<string, StepOptions>,
  context: ExecutorContext,
): AsyncGenerator<TaskOutcome> {
  const pipeline = await import('@cairn/pipeline');
  const projects = await pipeline.discoverProjects(context.root);
  const limit = Math.max(1, Math.min(Number(process.env.NX_PARALLEL ?? 3) || 3, availableParallelism()));
  const pending = new Set(Object.keys(taskGraph.tasks));
  const done = new Set<string>();
  const running = new Map<string, Promise<TaskOutcome>>();

  const run = async (id: string): Promise<TaskOutcome> => {
    const task = taskGraph.tasks[id]!;
    let terminalOutput = '';
    const output = (chunk: string) => {
      terminalOutput += chunk;
    };
    const log = (line: string) => output(`${line}\n`);
    const startTime = Date.now();
    let success = true;
    try {
      const project = inputs[id]?.project ?? task.target.project;
      const common = { workspaceRoot: context.root, project, log, output, projects, nxTask: id };
      if (step === 'train') await pipeline.train(common);
      else await pipeline.evaluate({ ...common, cv: inputs[id]?.cv });
    } catch (error) {
      success = false;
      output(`${formatError(error)}\n`);
    }
    return { task: id, result: { success, terminalOutput, startTime, endTime: Date.now() } };
  };

  // A dependency outside this batch was run by Nx before it; one inside must have finished, not merely started.
  const ready = (id: string) =>
    (taskGraph.dependencies[id] ?? []).every((dep) => done.has(dep) || !(dep in taskGraph.tasks));
  while (pending.size > 0 || running.size > 0) {
    for (const id of [...pending]) {
      if (running.size >= limit) break;
      if (!ready(id)) continue;
      pending.delete(id);
      running.set(id, run(id));
    }
    if (running.size === 0) {
      // Only possible with a dependency cycle inside the batch: run the rest in order rather than hang.
      const next = pending.values().next().value!;
      pending.delete(next);
      running.set(next, run(next));
    }
    const finished = await Promise.race(running.values());
    running.delete(finished.task);
    done.add(finished.task);
    yield finished;
  }
}
