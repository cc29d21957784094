import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatFiles,
  readNxJson,
  updateNxJson,
  writeJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { cairnError } from '@cairn/errors';
import { CONFIG_FILE, ROOT_GITIGNORE_LINES, withIgnoreLines } from '@cairn/store/layout';
import { CAIRN_INPUTS } from '../../plugin/targets';
import { addMissingDependencies } from '../../lib/package-json';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = '@cairn/nx';

/** What `git` must not track: installed packages, Nx's cache, the content store, local state and task outputs. */
export const GITIGNORE_ENTRIES = ['node_modules', '/.nx', ...ROOT_GITIGNORE_LINES, '/dist'];

/**
 * No `cache.link`: the store's default (reflink, else copy: no inode shared
 * with the store) applies; hardlinks are an explicit opt-in (docs/data.md).
 */
export const DEFAULT_CAIRN_CONFIG = {
  version: 1,
  cache: {},
  remotes: {},
};

function ensureLines(tree: Tree, file: string, lines: readonly string[], header: string): void {
  const next = withIgnoreLines(tree.exists(file) ? tree.read(file, 'utf8')! : undefined, lines, header);
  if (next !== undefined) tree.write(file, next);
}

function isRegistered(plugins: NonNullable<ReturnType<typeof readNxJson>>['plugins']): boolean {
  return (plugins ?? []).some(
    (plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME,
  );
}

/** The version ranges init records for the packages a Cairn workspace runs on. */
function workspaceDevDependencies(): Record<string, string> {
  const versionOf = (manifest: string) =>
    (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const own = versionOf(join(__dirname, '..', '..', '..', 'package.json'));
  const nx = versionOf(require.resolve('nx/package.json'));
  return { nx: `^${nx}`, '@cairn/nx': `^${own}`, '@cairn/cli': `^${own}` };
}

/**
 * Registers the plugin, the `cairnInputs` named input ordinary libraries fall
 * back to, the devDependencies a Cairn workspace needs, the .gitignore entries
 * and `.cairn/config.json`. Works in a folder with only a package.json (it
 * creates nx.json) and in an existing workspace. Idempotent: a second run
 * changes nothing.
 */
export async function initGenerator(
  tree: Tree,
  options: InitGeneratorSchema = {},
): Promise<GeneratorCallback> {
  const nxJson = readNxJson(tree) ?? {};
  if (!isRegistered(nxJson.plugins)) nxJson.plugins = [...(nxJson.plugins ?? []), PLUGIN_NAME];
  nxJson.namedInputs = nxJson.namedInputs ?? {};
  if (!nxJson.namedInputs[CAIRN_INPUTS]) {
    nxJson.namedInputs[CAIRN_INPUTS] = ['{projectRoot}/**/*', '!{projectRoot}/**/*.md'];
  }
  // updateNxJson only updates an existing nx.json; a package.json-only workspace gets a new one.
  if (tree.exists('nx.json')) updateNxJson(tree, nxJson);
  else writeJson(tree, 'nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json', ...nxJson });
  if (!isRegistered(readNxJson(tree)?.plugins)) {
    throw cairnError('PLUGIN_NOT_REGISTERED', `nx.json: ${PLUGIN_NAME} could not be added to "plugins"`, {
      data: { file: 'nx.json', pointer: '/plugins' },
      hint: `add "${PLUGIN_NAME}" to the "plugins" array of nx.json by hand`,
    });
  }
  const install = addMissingDependencies(tree, { devDependencies: workspaceDevDependencies() });

  ensureLines(
    tree,
    '.gitignore',
    GITIGNORE_ENTRIES,
    'Cairn: packages, Nx cache, content store, local state and task outputs',
  );
  if (!tree.exists(CONFIG_FILE))
    tree.write(CONFIG_FILE, `${JSON.stringify(DEFAULT_CAIRN_CONFIG, null, 2)}\n`);
  if (!options.skipFormat) await formatFiles(tree);
  return install;
}

export default initGenerator;
