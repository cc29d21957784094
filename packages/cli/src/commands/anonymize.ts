import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import { printJson } from '../output';

interface AnonymizeCommandOptions {
  out: string;
  keyEnv?: string;
  keyFile?: string;
  mask?: boolean;
  columns?: string;
  wholeColumns?: string;
  json?: boolean;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** The HMAC key from an environment variable or a file (a trailing newline is ignored), never from the command line. */
export async function readKey(options: {
  keyEnv?: string;
  keyFile?: string;
  mask?: boolean;
}): Promise<string | Buffer> {
  if (options.keyEnv && options.keyFile) {
    throw cairnError('OPTIONS_CONFLICT', 'pass either --key-env or --key-file, not both', {
      data: { options: ['key-env', 'key-file'] },
    });
  }
  if (options.keyEnv) {
    const value = process.env[options.keyEnv];
    if (!value) {
      throw cairnError(
        'ANONYMIZE_KEY_MISSING',
        `environment variable ${options.keyEnv} is not set or empty`,
        {
          data: { env: options.keyEnv },
          hint: `export ${options.keyEnv}=$(openssl rand -hex 32), and keep it: the same key gives the same tokens`,
        },
      );
    }
    return value;
  }
  if (options.keyFile) {
    let bytes: Buffer;
    try {
      bytes = await readFile(options.keyFile);
    } catch (error) {
      throw cairnError(
        'ANONYMIZE_KEY_MISSING',
        `${options.keyFile}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          data: { file: options.keyFile },
        },
      );
    }
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
    return bytes.subarray(0, end);
  }
  throw cairnError('ANONYMIZE_KEY_MISSING', 'a key is needed: --key-env VAR or --key-file FILE', {
    data: {},
    hint: 'the key makes tokens consistent (same value → same token) and unguessable; generate one with `openssl rand -hex 32`',
  });
}

export function register(program: Command): void {
  program
    .command('anonymize')
    .description(
      'write a copy of a data file with personal data (emails, phones, cards, IBANs, IPs) replaced by keyed pseudonyms or masks',
    )
    .argument('<input>', 'the data file (CSV, JSON, JSON Lines)')
    .requiredOption('--out <file>', 'the new file (never the input)')
    .option('--key-env <var>', 'environment variable holding the HMAC key')
    .option('--key-file <file>', 'file holding the HMAC key')
    .option('--mask', 'mask values (j***@example.com, **** 1111) instead of pseudonymizing them')
    .option('--columns <a,b>', 'scan only these columns (default: all)')
    .option('--whole-columns <a,b>', 'replace every value of these columns (names, user ids)')
    .option('--json', 'print { rows, replaced, byColumn, output } as JSON')
    .addHelpText(
      'after',
      '\nThe output is a new file; track it as a new version of the dataset with `cairn add <output>`\n(or move it over the tracked path and `cairn add` that path). See docs/validation.md.',
    )
    .action(async (input: string, options: AnonymizeCommandOptions) => {
      const { anonymizeDataset } = await import('@cairn/validate');
      const key = await readKey(options);
      const columns = list(options.columns);
      const wholeColumns = list(options.wholeColumns);
      const result = await anonymizeDataset(input, options.out, {
        key,
        mode: options.mask ? 'mask' : 'pseudonymize',
        ...(columns ? { columns } : {}),
        ...(wholeColumns ? { wholeColumns } : {}),
      });
      if (options.json) {
        printJson({ ...result, output: options.out });
        return;
      }
      const counts = Object.entries(result.replaced).map(([kind, count]) => `${kind} ${count}`);
      process.stdout.write(
        `wrote ${options.out}: ${result.rows} row${result.rows === 1 ? '' : 's'}, ${counts.length > 0 ? `replaced ${counts.join(', ')}` : 'nothing to replace'}\n` +
          `next: cairn add ${options.out}\n`,
      );
    });
}
