import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const checker = join(__dirname, '..', 'check.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function which(program: string): string {
  const dir = (process.env.PATH ?? '').split(delimiter).find((d) => d && existsSync(join(d, program)));
  if (!dir) throw new Error(`${program} is not on PATH (tools/oracles/check.mjs installs it)`);
  return join(dir, program);
}

/** A PATH folder with every oracle but b3sum, and a fake apt-get running `aptScript(bin)` (arguments logged). */
function pathWithoutB3sum(aptScript: (bin: string) => string): { bin: string; aptLog: string } {
  const bin = mkdtempSync(join(tmpdir(), 'cairn-oracles-bin-'));
  dirs.push(bin);
  for (const program of ['promtool', 'openssl', 'git', 'umoci', 'skopeo'])
    symlinkSync(which(program), join(bin, program));
  const aptLog = join(bin, 'apt.log');
  writeFileSync(
    join(bin, 'apt-get'),
    `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> '${aptLog}'\n${aptScript(bin)}\n`,
  );
  chmodSync(join(bin, 'apt-get'), 0o755);
  return { bin, aptLog };
}

function runChecker(env: Record<string, string>) {
  return spawnSync(process.execPath, [checker], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('tools/oracles/check.mjs', () => {
  it('passes on this machine, where npm test needs every oracle', () => {
    const result = runChecker({});
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('as a user without b3sum: one line naming the sudo command, no install attempted', () => {
    const { bin, aptLog } = pathWithoutB3sum(() => 'exit 0');
    const result = runChecker({ PATH: bin, CAIRN_ORACLES_AS: 'user' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('test oracles missing (b3sum): run `sudo apt-get install -y b3sum`\n');
    expect(existsSync(aptLog)).toBe(false);
  });

  it('as root with apt-get: updates once, installs the missing package non-interactively, checks again', () => {
    // The fake apt-get "installs" b3sum by putting an executable on PATH.
    const { bin, aptLog } = pathWithoutB3sum(
      (dir) =>
        `case "$1" in install) printf '#!/bin/sh\\n' > '${dir}/b3sum'; /bin/chmod +x '${dir}/b3sum';; esac`,
    );
    const result = runChecker({ PATH: bin, CAIRN_ORACLES_AS: 'root' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(aptLog, 'utf8')).toBe(
      'noninteractive update -qq\nnoninteractive install -y -qq --no-install-recommends b3sum\n',
    );
  });

  it('as root when the install fails: one line with the command, exit 1', () => {
    const { bin } = pathWithoutB3sum(() => 'exit 100');
    const result = runChecker({ PATH: bin, CAIRN_ORACLES_AS: 'root' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('test oracles missing (b3sum): run `apt-get install -y b3sum`\n');
  });
});
