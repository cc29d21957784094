import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { hashFile } from '@cairn/hash';
import { toolkitVersion } from './version';

/**
 * The training command's own report of its runtime: the templates write
 * `{ runtime, version, packages: { name: version } }` for the packages the
 * trainer actually imported (Python: every loaded distribution).
 */
export const ENVIRONMENT_FILE_VARIABLE = 'CAIRN_ENVIRONMENT_FILE';

export interface TrainerEnvironment {
  runtime: string;
  version: string;
  packages: Record<string, string>;
}

/** What a reproduction needs to rebuild the run's software, recorded with every run. */
export interface RunEnvironment {
  node: string;
  cairn: string;
  platform: string;
  /** BLAKE3 of each lockfile found at the workspace root or in the trainer's folder, by workspace path. */
  lockfiles: Record<string, string>;
  /** Absent when the training command did not report one (a custom trainer). */
  trainer?: TrainerEnvironment;
}

/** Lockfiles pinning JavaScript and Python dependencies; the first ones found count. */
const LOCKFILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'requirements.txt',
  'uv.lock',
  'poetry.lock',
  'Pipfile.lock',
];

/** Where the trainer writes its report: beside the artifact folder in the run's scratch, so it is not part of the artifact. */
export function reportedEnvironmentFile(outputDir: string): string {
  return join(dirname(outputDir), 'environment.json');
}

function isTrainerEnvironment(value: unknown): value is TrainerEnvironment {
  if (value === null || typeof value !== 'object') return false;
  const { runtime, version, packages } = value as Record<string, unknown>;
  return (
    typeof runtime === 'string' &&
    typeof version === 'string' &&
    packages !== null &&
    typeof packages === 'object' &&
    Object.values(packages).every((v) => typeof v === 'string')
  );
}

/**
 * The run's environment: this process's runtime and toolkit, the lockfile
 * hashes, and the trainer's report when it wrote a well-formed one (a
 * malformed report is left out rather than failing a finished training).
 */
export async function captureEnvironment(
  workspaceRoot: string,
  codeRoot: string,
  outputDir: string,
): Promise<RunEnvironment> {
  const lockfiles: Record<string, string> = {};
  for (const folder of new Set(['.', codeRoot])) {
    for (const name of LOCKFILES) {
      const path = posix.join(folder, name);
      if (existsSync(join(workspaceRoot, path)))
        lockfiles[path] = (await hashFile(join(workspaceRoot, path))).hash;
    }
  }
  const environment: RunEnvironment = {
    node: process.version,
    cairn: toolkitVersion,
    platform: `${process.platform}-${process.arch}`,
    lockfiles,
  };
  const reported = reportedEnvironmentFile(outputDir);
  if (existsSync(reported)) {
    try {
      const value: unknown = JSON.parse(await readFile(reported, 'utf8'));
      if (isTrainerEnvironment(value)) environment.trainer = value;
    } catch {
      /* not JSON: recorded as unreported */
    }
  }
  return environment;
}
