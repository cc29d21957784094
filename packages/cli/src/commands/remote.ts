import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import type { TransferProgress } from '@cairn/remote';
import { createProgress, printJson, type Progress } from '../output';
import { workspaceRoot } from './add';

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function storeConfig() {
  const store = await import('@cairn/store');
  return { loadConfig: store.loadConfig, saveConfig: store.saveConfig, configFileName: store.CONFIG_FILE };
}

/** A progress bar fed by transfer events. */
export function transferProgress(
  json: boolean | undefined,
  label: string,
): { onProgress: (p: TransferProgress) => void; stop: () => void } {
  let bar: Progress | undefined;
  return {
    onProgress(progress) {
      if (!bar) {
        bar = createProgress({ json, label });
        bar.start(progress.total);
      }
      bar.tick();
    },
    stop: () => bar?.stop(),
  };
}

export function register(program: Command): void {
  const remote = program
    .command('remote')
    .description('manage data remotes (where push and pull copy store objects)');

  remote
    .command('add')
    .description(
      'add a named remote: an absolute path or file:// URL, http(s):// (a cairn cache server) or s3://bucket/prefix',
    )
    .argument('<name>', 'remote name (letters, digits, ".", "_", "-")')
    .argument('<url>', 'remote URL')
    .option('--default', 'make it the default remote')
    .addHelpText(
      'after',
      '\nHTTP remotes read their bearer token from CAIRN_REMOTE_TOKEN; keep tokens out of committed config.',
    )
    .action(async (name: string, url: string, options: { default?: boolean }) => {
      if (!REMOTE_NAME.test(name)) {
        throw cairnError('REMOTE_NAME_INVALID', `invalid remote name "${name}"`, {
          data: { name },
          hint: 'start with a letter or digit; then letters, digits, ".", "_" or "-"',
        });
      }
      const { remoteKind } = await import('@cairn/remote');
      remoteKind(url);
      const root = await workspaceRoot();
      const { loadConfig, saveConfig, configFileName } = await storeConfig();
      const config = await loadConfig(root);
      if (config.remotes[name]) {
        throw cairnError('REMOTE_EXISTS', `remote "${name}" already exists (${config.remotes[name].url})`, {
          data: { file: configFileName, pointer: `/remotes/${name}` },
          hint: `remove it first with \`cairn remote remove ${name}\``,
        });
      }
      config.remotes[name] = { url };
      if (options.default || Object.keys(config.remotes).length === 1) config.defaultRemote = name;
      await saveConfig(root, config);
      process.stdout.write(
        `added remote ${name} -> ${url}${config.defaultRemote === name ? ' (default)' : ''}\n`,
      );
    });

  remote
    .command('list')
    .description('list the configured remotes')
    .option('--json', 'print [{ name, url, default }] as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = await workspaceRoot();
      const { loadConfig } = await storeConfig();
      const config = await loadConfig(root);
      const rows = Object.entries(config.remotes).map(([name, entry]) => ({
        name,
        url: entry.url,
        default: config.defaultRemote === name,
      }));
      if (options.json) {
        printJson(rows);
        return;
      }
      const lines = rows.map((row) => `${row.name}\t${row.url}${row.default ? '\t(default)' : ''}`);
      process.stdout.write(
        lines.length > 0
          ? `${lines.join('\n')}\n`
          : 'no remotes (add one with `cairn remote add NAME URL`)\n',
      );
    });

  remote
    .command('remove')
    .description('remove a named remote from the config (its data is not touched)')
    .argument('<name>', 'remote name')
    .action(async (name: string) => {
      const root = await workspaceRoot();
      const { loadConfig, saveConfig, configFileName } = await storeConfig();
      const config = await loadConfig(root);
      if (!config.remotes[name]) {
        throw cairnError('REMOTE_UNKNOWN', `no remote named "${name}" in ${configFileName}`, {
          data: { file: configFileName, pointer: `/remotes/${name}` },
          hint: `known remotes: ${Object.keys(config.remotes).join(', ') || '(none)'}`,
        });
      }
      delete config.remotes[name];
      if (config.defaultRemote === name) delete config.defaultRemote;
      await saveConfig(root, config);
      process.stdout.write(`removed remote ${name}\n`);
    });
}
