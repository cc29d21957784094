import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runBatch, type StepOptions } from '../batch';

export default function evaluateBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, StepOptions>,
  _overrides: unknown,
  context: ExecutorContext,
) {
  return runBatch('evaluate', taskGraph, inputs, context);
}
