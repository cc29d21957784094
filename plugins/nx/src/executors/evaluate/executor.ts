import type { ExecutorContext } from '@nx/devkit';
import { projectOf, runStep } from '../run-step';
import type { EvaluateExecutorSchema } from './schema';

export default async function evaluateExecutor(options: EvaluateExecutorSchema, context: ExecutorContext) {
  const { evaluate } = await import('@cairn/pipeline');
  return runStep(() =>
    evaluate({
      workspaceRoot: context.root,
      project: projectOf(options, context),
      cv: options.cv,
      nxTask: `${context.projectName}:${context.targetName}`,
    }),
  );
}
