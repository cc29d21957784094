import { formatFiles, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { CAIRN_INPUTS } from '../../plugin/targets';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = '@cairn/nx';

/** What `git` must not track: the content store, local state and task outputs. */
export const GITIGNORE_ENTRIES = [
  '/.cairn/cache',
  '/.cairn/state',
  '/.cairn/tmp*',
  '/.cairn/runs',
  '/.cairn/quarantine',
  '/dist',
];

/**
 * No `cache.link`: the store's default (reflink, else copy: no inode shared
 * with the store) applies; hardlinks are an explicit opt-in (docs/data.md).
 */
export const DEFAULT_CAIRN_CONFIG = {
  version: 1,
  cache: {},
  remotes: {},
};

function ensureLines(tree: Tree, file: string, lines: string[], header: string): void {
  const current = tree.exists(file) ? tree.read(file, 'utf8')! : '';
  const present = new Set(current.split(/\r?\n/).map((line) => line.trim()));
  const missing = lines.filter((line) => !present.has(line));
  if (missing.length === 0) return;
  const prefix = current === '' || current.endsWith('\n') ? current : `${current}\n`;
  tree.write(file, `${prefix}${prefix ? '\n' : ''}${header}\n${missing.join('\n')}\n`);
}

/**
 * Registers the plugin, the `cairnInputs` named input ordinary libraries fall
 * back to, the .gitignore entries and `.cairn/config.json`. Idempotent: a
 * second run changes nothing.
 */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some(
    (plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME,
  );
  if (!registered) nxJson.plugins = [...plugins, PLUGIN_NAME];
  nxJson.namedInputs = nxJson.namedInputs ?? {};
  if (!nxJson.namedInputs[CAIRN_INPUTS]) {
    nxJson.namedInputs[CAIRN_INPUTS] = ['{projectRoot}/**/*', '!{projectRoot}/**/*.md'];
  }
  updateNxJson(tree, nxJson);

  ensureLines(tree, '.gitignore', GITIGNORE_ENTRIES, '# Cairn: content store, local state and task outputs');
  if (!tree.exists('.cairn/config.json')) {
    tree.write('.cairn/config.json', `${JSON.stringify(DEFAULT_CAIRN_CONFIG, null, 2)}\n`);
  }
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
