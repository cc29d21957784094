import { InputError, ModelError, StoreError, UsageError } from '@cairn/errors';

export { ConfigInvalidError } from '@cairn/store';

export class ProjectNotFoundError extends UsageError<{
  file: string;
  kind: string;
  name: string;
  known: string[];
}> {
  constructor(file: string, kind: 'dataset' | 'model' | 'project', name: string, known: string[]) {
    super('PROJECT_NOT_FOUND', `${file}: no ${kind} project named "${name}"`, {
      data: { file, kind, name, known },
      hint: known.length
        ? `known ${kind}s: ${known.join(', ')}`
        : `create one with \`nx g @cairn/nx:${kind}\``,
    });
  }
}

/**
 * The data a pointer names cannot be had: `remote` is the remote that was
 * tried (null when none is configured), `missing` the file objects of a
 * directory that it lacks (at most ten; empty when the pointer's own object
 * is missing).
 */
export class DataUnavailableError extends StoreError<{
  file: string;
  hash: string;
  remote: string | null;
  missing: string[];
}> {
  constructor(
    file: string,
    hash: string,
    problem: string,
    where: { remote?: string; missing?: string[]; hint?: string } = {},
  ) {
    super('DATA_UNAVAILABLE', `${file}: ${problem}`, {
      data: { file, hash, remote: where.remote ?? null, missing: where.missing ?? [] },
      hint:
        where.hint ??
        'run `cairn pull` (with a remote configured) or `cairn add` the data again on the machine that has it',
    });
  }
}

/**
 * Data edited without `cairn add`: the pointer, which is what Nx hashed, no
 * longer describes the bytes a task would read, so no task may run on it or
 * be served from cache for it.
 */
export class DataModifiedError extends StoreError<{ files: string[]; pointerFiles: string[] }> {
  constructor(modified: Array<{ path: string; pointerFile: string }>) {
    const files = modified.map((entry) => entry.path);
    const pointerFiles = modified.map((entry) => entry.pointerFile);
    const what =
      modified.length === 1
        ? `${files[0]} differs from its pointer ${pointerFiles[0]}`
        : `${modified.length} data files differ from their pointers: ${files.join(', ')}`;
    super('DATA_MODIFIED', what, {
      data: { files, pointerFiles },
      hint: `run \`npx cairn add ${files.join(' ')}\` to record the new version (or \`npx cairn checkout --force ${files.join(' ')}\` to discard the edit)`,
    });
  }
}

/** What a POSIX shell exits with when the command's program does not exist. */
const COMMAND_NOT_FOUND = 127;

/** What a failed project command (training, tests) reports: the project, the command and how it ended. */
export type CommandFailure = {
  project: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
};

function commandFailure(
  what: string,
  project: string,
  command: string,
  exitCode: number | null,
  signal: string | null,
) {
  return `${project}: ${what} \`${command}\` ${signal ? `was killed by ${signal}` : `exited with code ${exitCode}`}`;
}

export class TrainCommandFailedError extends ModelError<CommandFailure> {
  constructor(project: string, command: string, exitCode: number | null, signal: string | null) {
    super('TRAIN_COMMAND_FAILED', commandFailure('training command', project, command, exitCode, signal), {
      data: { project, command, exitCode, signal },
      hint:
        exitCode === COMMAND_NOT_FOUND
          ? `the shell found no program \`${command.trim().split(/\s+/)[0]}\` on this machine: install it, or change train.command in model.json; nothing was stored or cached`
          : 'its output is above; nothing was stored or cached',
    });
  }
}

/** The model's own tests (the `test` target) failed: training does not start. */
export class ModelTestsFailedError extends ModelError<CommandFailure> {
  constructor(project: string, command: string, exitCode: number | null, signal: string | null) {
    super('MODEL_TESTS_FAILED', commandFailure('test command', project, command, exitCode, signal), {
      data: { project, command, exitCode, signal },
      hint: 'its output is above; rerun it by hand with `cairn task test <project>`',
    });
  }
}

export class ArtifactInvalidError extends InputError<{ project: string; file: string }> {
  constructor(project: string, file: string, problem: string) {
    super('ARTIFACT_INVALID', `${project}: ${file} ${problem}`, {
      data: { project, file },
      hint: 'the training command must write cairn-model.json into CAIRN_OUTPUT_DIR (docs/model-contract.md)',
    });
  }
}

export class DatasetReadError extends InputError<{ file: string; row?: number; column?: string }> {
  constructor(file: string, problem: string, where: { row?: number; column?: string } = {}) {
    const at =
      where.row !== undefined ? ` (row ${where.row}${where.column ? `, column "${where.column}"` : ''})` : '';
    super('DATASET_UNREADABLE', `${file}${at}: ${problem}`, { data: { file, ...where } });
  }
}
