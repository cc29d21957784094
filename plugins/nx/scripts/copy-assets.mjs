// @cairn/nx ships copies of two things whose sources live elsewhere in the repository:
// - the project-file schemas, whose home is @cairn/pipeline (which validates with them), so a
//   workspace's `$schema` can point at node_modules/@cairn/nx/schemas, the one Cairn package
//   every user installs directly;
// - the model and CI templates, whose home is the repository's top-level templates/ folder.
// The copies are build output, not sources (gitignored): run by the root build and prepare, by
// `npm pack` (prepack), and before the tests (vitest global setup) so they are never stale.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(pluginRoot, '..', '..');

export function copyPluginAssets() {
  const schemas = join(pluginRoot, 'schemas');
  mkdirSync(schemas, { recursive: true });
  const schemaSource = join(repoRoot, 'packages', 'pipeline', 'schemas');
  for (const file of readdirSync(schemaSource).filter((name) => name.endsWith('.schema.json'))) {
    cpSync(join(schemaSource, file), join(schemas, file));
  }
  const templates = join(pluginRoot, 'templates');
  rmSync(templates, { recursive: true, force: true });
  // Real files, never links: a packed tarball must not point back into the repository.
  cpSync(join(repoRoot, 'templates'), templates, { recursive: true, dereference: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) copyPluginAssets();
