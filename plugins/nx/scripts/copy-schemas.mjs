// The project-file schemas live in @cairn/pipeline (which validates with them);
// @cairn/nx ships copies so a workspace's `$schema` can point at
// node_modules/@cairn/nx/schemas, the one Cairn package every user installs directly.
// Run by the root build and by `npm pack` (prepack): the copies are build output, not sources.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(pluginRoot, '..', '..', 'packages', 'pipeline', 'schemas');
const target = join(pluginRoot, 'schemas');
mkdirSync(target, { recursive: true });
for (const file of readdirSync(source).filter((name) => name.endsWith('.schema.json'))) {
  copyFileSync(join(source, file), join(target, file));
}
