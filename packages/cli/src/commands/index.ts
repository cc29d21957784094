import type { Command } from 'commander';

/**
 * Each command lives in its own module exporting `register(program)`.
 * Add one import and one line below per command module.
 */
export function registerCommands(program: Command): void {
  void program;
}
