import type { ExecutorContext } from '@nx/devkit';
import { cairnError, formatError } from '@cairn/errors';

/**
 * The executors are thin: resolve the project, call the pipeline, report.
 * Failures a user caused print as one line with a hint, not a stack.
 */
export async function runStep(step: () => Promise<unknown>): Promise<{ success: boolean }> {
  try {
    await step();
    return { success: true };
  } catch (error) {
    process.stderr.write(`${formatError(error)}\n`);
    return { success: false };
  }
}

export function projectOf(options: { project?: string }, context: ExecutorContext): string {
  const name = options.project ?? context.projectName;
  if (!name) {
    throw cairnError('EXECUTOR_PROJECT_REQUIRED', 'the Cairn executors need a project', {
      data: { option: 'project' },
      hint: 'run them as a target of an Nx project, or set the `project` option',
    });
  }
  return name;
}
