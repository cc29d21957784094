// `npm run pack [-- --out DIR]`: builds the repository and writes the tarball of
// every publishable package (each workspace package not marked private) into one
// folder, dist/packages/ by default, ready for `npm install -D nx DIR/*.tgz`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? join(repoRoot, 'dist', 'packages'));

/** Workspace folders (`packages/*`, `plugins/*`, …) whose package.json is not private. */
function publishablePackages() {
  const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  return workspaces
    .flatMap((pattern) => {
      const parent = join(repoRoot, pattern.replace(/\/\*$/, ''));
      return readdirSync(parent).map((name) => join(parent, name));
    })
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// A clean build: tsc -b never deletes the output of a source file that was removed, and npm pack would ship it.
execFileSync(
  process.execPath,
  [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json', '--clean'],
  {
    cwd: repoRoot,
    stdio: 'inherit',
  },
);
execFileSync(npm, ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const packages = publishablePackages();
// One npm call for all of them; each package's own prepack step runs (the plugin copies its schemas).
execFileSync(
  npm,
  ['pack', '--pack-destination', out, '--silent', ...packages.flatMap((dir) => ['-w', dir])],
  { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
);
const tarballs = readdirSync(out).filter((name) => name.endsWith('.tgz'));
if (tarballs.length !== packages.length) {
  throw new Error(`expected ${packages.length} tarballs in ${out}, found ${tarballs.length}`);
}
console.log(`${tarballs.length} packages in ${out}:\n  ${tarballs.sort().join('\n  ')}`);
