import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: repoRoot });

/** The layer messages the repository's own lint config gives `code` at `file` (static imports, `import()`, `require`). */
async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, file) });
  return result!.messages
    .filter(
      (message) => message.ruleId === 'no-restricted-imports' || message.ruleId === 'no-restricted-syntax',
    )
    .map((message) => message.message);
}

describe('the layers of DESIGN.md are enforced by `npm run lint`', () => {
  it.each([
    [
      'packages/store/src/x.ts',
      "import { createNodes } from '@cairn/nx';",
      /below the Nx plugin and the CLI/,
    ],
    ['packages/metrics/src/x.ts', "export * from '@cairn/nx/src/plugin/targets';", /not its internals/],
    ['packages/pipeline/src/x.ts', "import { main } from '@cairn/cli';", /below the Nx plugin and the CLI/],
    ['packages/serve/src/x.ts', "import { readJsonFile } from '@nx/devkit';", /know nothing of Nx/],
    [
      'packages/pipeline/src/x.ts',
      "import { storePath } from '@cairn/store/src/objects';",
      /not its internals/,
    ],
    [
      'packages/pipeline/src/x.ts',
      "import { storePath } from '@cairn/store/dist/objects';",
      /not its internals/,
    ],
    [
      'packages/pipeline/src/x.ts',
      "import { storePath } from '../../store/src/objects';",
      /by its @cairn\/ name/,
    ],
    ['packages/pipeline/test/x.ts', "import { storePath } from '../../store/src';", /by its @cairn\/ name/],
    [
      'plugins/nx/src/x.ts',
      "import { parseConfig } from '../../../packages/pipeline/src/config';",
      /by its @cairn\/ name/,
    ],
    ['plugins/nx/src/x.ts', "import { parseConfig } from '@cairn/pipeline/src/config';", /not its internals/],
    [
      'plugins/nx/src/x.ts',
      "import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';",
      /Nx's internals/,
    ],
    // Loaded lazily or with require: the same rules.
    ['packages/cli/src/x.ts', "await import('@cairn/store/src/objects');", /not its internals/],
    ['packages/store/src/x.ts', "const nx = await import('@nx/devkit');", /know nothing of Nx/],
    ['packages/pipeline/src/x.ts', "require('../../store/dist/objects');", /by its @cairn\/ name/],
    ['packages/pipeline/src/x.ts', "require('@cairn/nx');", /below the Nx plugin and the CLI/],
    ['plugins/nx/src/x.ts', "await import('nx/src/utils/cache-directory');", /Nx's internals/],
    ['plugins/nx/src/x.ts', "require('@cairn/pipeline/dist/train');", /not its internals/],
  ])('%s: %s fails', async (file, code, reason) => {
    const messages = await restrictedImports(file, code);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).toMatch(reason);
  });

  it.each([
    ['packages/pipeline/src/x.ts', "import { storePath } from '@cairn/store';"],
    ['packages/cli/src/x.ts', "import { parseConfig } from '@cairn/pipeline/project-config';"],
    ['packages/store/src/x.ts', "import { CAIRN_DIR } from './config';"],
    ['packages/store/test/x.ts', "import { CAIRN_DIR } from '../src/config';"],
    ['packages/drift/src/x.spec.ts', "import { seededRandom } from '../../../tools/test-support/src';"],
    ['plugins/nx/src/x.ts', "import { createNodesFromFiles } from '@nx/devkit';"],
    ['plugins/nx/src/x.ts', "import { PluginCache } from '@nx/devkit/internal';"],
    ['plugins/nx/src/x.ts', "import { train } from '@cairn/pipeline';"],
    ['packages/cli/src/x.ts', "await import('@cairn/store');"],
    ['packages/store/src/x.ts', "require('./config');"],
    ['plugins/nx/src/x.ts', "await import('@nx/devkit');"],
    ['plugins/nx/src/x.ts', "require('@cairn/pipeline/project-config');"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});
