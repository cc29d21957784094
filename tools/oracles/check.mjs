#!/usr/bin/env node
// Runs first in `npm test`: checks the programs the suite uses as independent
// oracles and real components. A missing one is a test failure, never a skip,
// so it is caught here, before minutes of tests, with the command that fixes it.
//
// Missing programs are installed from Debian when this runs as root with
// apt-get; otherwise it exits 1 at once with one line naming the command.
// CAIRN_ORACLES_AS=user (or root) overrides the root detection; the spec uses
// it to exercise both paths.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const PYTHON_MODULES = { numpy: 'python3-numpy', scipy: 'python3-scipy', sklearn: 'python3-sklearn' };

/** Programs run by name (from PATH) or by absolute path, as the specs run them, and their Debian package. */
const PROGRAMS = [
  ['b3sum', 'b3sum'],
  ['/usr/bin/prometheus', 'prometheus'],
  ['promtool', 'prometheus'],
  // the experiments report is tested in a real headless browser (playwright-core drives it)
  ['/usr/bin/chromium', 'chromium'],
  ['openssl', 'openssl'],
  ['git', 'git'],
  [PYTHON, 'python3'],
  ['umoci', 'umoci'],
  ['skopeo', 'skopeo'],
];

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function found(program) {
  if (isAbsolute(program)) return executable(program);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, program)));
}

/** What is missing, as [what, Debian package] pairs. */
function missing() {
  const absent = PROGRAMS.filter(([program]) => !found(program));
  if (found(PYTHON)) {
    // find_spec locates a module without importing it: fast, and enough to tell an install is missing.
    const probe = spawnSync(
      PYTHON,
      [
        '-c',
        'import importlib.util, sys; print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))',
        ...Object.keys(PYTHON_MODULES),
      ],
      { encoding: 'utf8' },
    );
    const modules =
      probe.status === 0 ? probe.stdout.split(/\s+/).filter(Boolean) : Object.keys(PYTHON_MODULES);
    for (const module of modules) absent.push([`${PYTHON} module ${module}`, PYTHON_MODULES[module]]);
  } else {
    for (const [module, pkg] of Object.entries(PYTHON_MODULES))
      absent.push([`${PYTHON} module ${module}`, pkg]);
  }
  return absent;
}

const packagesOf = (absent) => [...new Set(absent.map(([, pkg]) => pkg))];
const namesOf = (absent) => absent.map(([what]) => what).join(', ');

function fail(absent, asRoot) {
  const command = `${asRoot ? '' : 'sudo '}apt-get install -y ${packagesOf(absent).join(' ')}`;
  process.stderr.write(`test oracles missing (${namesOf(absent)}): run \`${command}\`\n`);
  process.exit(1);
}

function apt(args) {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

const absent = missing();
if (absent.length === 0) {
  console.log(
    'test oracles present: b3sum, prometheus, promtool, chromium, openssl, git, umoci, skopeo, python3 with numpy, scipy, scikit-learn',
  );
  process.exit(0);
}

const as = process.env.CAIRN_ORACLES_AS;
const asRoot = as ? as === 'root' : process.getuid?.() === 0;
if (!asRoot || !found('apt-get')) fail(absent, asRoot);

console.log(`installing Debian packages for the test oracles: ${packagesOf(absent).join(' ')}`);
if (
  !apt(['update', '-qq']) ||
  !apt(['install', '-y', '-qq', '--no-install-recommends', ...packagesOf(absent)])
)
  fail(absent, asRoot);
const still = missing();
if (still.length > 0) fail(still, asRoot);
console.log('test oracles installed');
