import { defineProject } from 'vitest/config';
import { basename } from 'node:path';

/**
 * One vitest project per package. Tests run on the TypeScript sources of every
 * workspace package (the `@cairn/source` export condition), so no build is needed
 * before `vitest`, and a change in one package is seen at once by its dependents.
 */
export function packageProject(dir: string, overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineProject({
    resolve: { conditions: ['@cairn/source'] },
    ssr: { resolve: { conditions: ['@cairn/source'] } },
    test: {
      name: basename(dir),
      root: dir,
      include: overrides.include ?? ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      env: { CAIRN_REPO_ROOT: import.meta.dirname },
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: overrides.testTimeout ?? 20_000,
    },
  });
}
