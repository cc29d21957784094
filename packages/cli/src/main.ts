import { Command, CommanderError } from 'commander';
import { CairnError, formatError } from '@cairn/errors';
import { registerCommands } from './commands';
import { version } from './version';

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description('Git-native data, model and monitoring toolkit for Nx monorepos')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

/**
 * Runs the CLI and resolves to the exit status: 0 success, 1 a check that ran
 * and failed (drift found, gate failed, corrupt objects), 2 bad input (a
 * `CairnError` or a usage error), 70 an internal bug.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    // InternalError is a CairnError too, but a bug: it takes the internal path below.
    if (error instanceof CairnError && error.family !== 'internal') {
      if (argv.includes('--json')) {
        process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
      }
      process.stderr.write(`${formatError(error)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`cairn: internal error, please report it\n${formatError(error)}\n`);
    return 70;
  }
}
