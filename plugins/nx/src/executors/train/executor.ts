import type { ExecutorContext } from '@nx/devkit';
import { projectOf, runStep } from '../run-step';
import type { TrainExecutorSchema } from './schema';

export default async function trainExecutor(options: TrainExecutorSchema, context: ExecutorContext) {
  const { train } = await import('@cairn/pipeline');
  return runStep(() =>
    train({
      workspaceRoot: context.root,
      project: projectOf(options, context),
      nxTask: `${context.projectName}:${context.targetName}`,
    }),
  );
}
