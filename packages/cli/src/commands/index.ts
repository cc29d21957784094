import type { Command } from 'commander';
import { register as registerTask } from './task';
import { register as registerHash } from './hash';
import { register as registerMetrics } from './metrics';

/**
 * Each command lives in its own module exporting `register(program)`.
 * Add one import and one line below per command module.
 */
export function registerCommands(program: Command): void {
  registerTask(program);
  registerHash(program);
  registerMetrics(program);
}
