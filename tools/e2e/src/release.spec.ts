import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './workspace';

/**
 * Nx Release on this repository, as CI runs it: dry runs only, nothing written,
 * no git push and no registry (the registry points at a closed port, so any
 * request would fail the publish step).
 */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  FORCE_COLOR: '0',
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_fetch_retries: '0',
};

function nx(...args: string[]): string {
  const result = spawnSync(join(repoRoot, 'node_modules', '.bin', 'nx'), args, {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} exited ${result.status}:\n${output}`);
  return output;
}

const gitStatus = () =>
  spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).stdout;

/** Every @cairn package that is not private: the fixed release group. */
function publishable(): string[] {
  const listed = spawnSync('npm', ['query', '.workspace:not([private])'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return (JSON.parse(listed.stdout) as { name: string }[]).map((pkg) => pkg.name).sort();
}

describe('Nx Release (dry run)', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('versions every @cairn package together, updates their ranges and previews changelogs', () => {
    const before = gitStatus();
    const output = nx('release', '9.8.7', '--dry-run', '--skip-publish');
    const packages = publishable();
    expect(packages).toEqual(expect.arrayContaining(['@cairn/cli', '@cairn/nx', '@cairn/pipeline']));
    for (const name of packages) {
      expect(output).toContain(`${name} ✍️  New version 9.8.7 written to manifest`);
    }
    expect(output).toContain('+     "@cairn/pipeline": "9.8.7"');
    expect(output).toMatch(/CHANGELOG\.md \[dry-run\]/);
    expect(output).toContain('## 9.8.7');
    expect(gitStatus()).toBe(before);
  });

  it('without a version, derives it from the commits and still writes nothing', () => {
    const before = gitStatus();
    nx('release', '--dry-run', '--skip-publish');
    expect(gitStatus()).toBe(before);
  });

  it('publish --dry-run packs every package with its templates and schemas, offline', () => {
    const output = nx('release', 'publish', '--dry-run', '--first-release');
    const published = [...output.matchAll(/📦 {2}(@cairn\/[a-z-]+)@/g)].map((match) => match[1]).sort();
    expect(published).toEqual(publishable());
    for (const shipped of [
      'templates/model-ts/files/train.mjs',
      'schemas/model.schema.json',
      'bin/cairn.js',
    ]) {
      expect(output).toContain(shipped);
    }
    const cli = JSON.parse(readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8'));
    expect(Object.values<string>(cli.dependencies).filter((range) => range === '*')).toEqual([]);
  });

  it("needs nothing at run time that a package does not declare (the root's devDependencies are not installed for users)", () => {
    const listed = spawnSync('npm', ['query', '.workspace:not([private])'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const undeclared: string[] = [];
    for (const { name, path } of JSON.parse(listed.stdout) as { name: string; path: string }[]) {
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
      const declared = new Set([
        name,
        ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }),
      ]);
      const files = (dir: string): string[] =>
        readdirSync(dir).flatMap((entry) => {
          const file = join(dir, entry);
          return statSync(file).isDirectory() ? files(file) : file.endsWith('.js') ? [file] : [];
        });
      // Only what the current sources compile to: a developer's dist may still hold the output of a removed
      // source file (tsc -b never deletes it), which `npm run pack` cleans away before packing.
      const built = files(join(path, 'dist')).filter((file) =>
        existsSync(join(path, 'src', relative(join(path, 'dist'), file)).replace(/\.js$/, '.ts')),
      );
      // The package's command-line entry points, wherever they live (bin/ or dist/).
      const bins = (
        typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {})
      ).map((bin) => join(path, bin as string));
      for (const file of new Set([...built, ...bins])) {
        for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
          /(?:require|import)\(["']([^"'.][^"']*)["']\)/g,
        )) {
          const bare = specifier!.startsWith('@')
            ? specifier!.split('/').slice(0, 2).join('/')
            : specifier!.split('/')[0]!;
          if (bare.startsWith('node:') || builtinModules.includes(bare) || declared.has(bare)) continue;
          undeclared.push(`${file}: ${specifier}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});
