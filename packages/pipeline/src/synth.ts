import { basename, join, posix } from 'node:path';
import { cairnError } from '@cairn/errors';
import type { DatasetSpec } from '@cairn/validate';
import type { DatasetConfig } from './generated/config-types';
import { discoverProjects, outputPaths, requireProject, type ProjectRef } from './workspace';

/** A dataset project's spec as its `validate` target checks it: the config's format and label, then `validation`. */
export async function projectDatasetSpec(dataset: ProjectRef<DatasetConfig>): Promise<DatasetSpec> {
  const { parseDatasetSpec } = await import('@cairn/validate');
  return parseDatasetSpec(
    {
      format: dataset.config.format ?? 'csv',
      ...(dataset.config.label ? { label: { column: dataset.config.label } } : {}),
      ...dataset.config.validation,
    },
    dataset.configFile,
    { pointerPrefix: '/validation' },
  );
}

export interface SynthesizeDataOptions {
  workspaceRoot: string;
  /** A dataset project whose spec to follow; or `spec`. */
  dataset?: string;
  /** A dataset.json (its `validation` section) or a standalone spec file. */
  spec?: string;
  /** Default for a dataset: dist/cairn/<dataset root>/synth/<data file name>; required with `spec`. */
  out?: string;
  rows?: number;
  seed?: number;
  edgeCases?: boolean;
}

/** Where a dataset's synthetic twin goes by default: a build output, never beside the real data. */
export function syntheticDataPath(dataset: ProjectRef<DatasetConfig>): string {
  return posix.join(outputPaths(dataset.root).base, 'synth', basename(dataset.config.data));
}

/**
 * Writes a synthetic dataset that passes the dataset's own validation spec
 * (see `synthesizeTable` in @cairn/validate): for tests of model code that
 * need neither the real data nor its download.
 */
export async function synthesizeData(options: SynthesizeDataOptions) {
  if ((options.dataset === undefined) === (options.spec === undefined)) {
    throw cairnError('OPTIONS_CONFLICT', 'pass exactly one of --dataset <name> or --spec <file>', {
      data: { options: ['dataset', 'spec'] },
    });
  }
  const { loadDatasetSpec, writeSyntheticDataset } = await import('@cairn/validate');
  const { ensureDirectory } = await import('@cairn/fs-atomic');
  let spec: DatasetSpec;
  let out = options.out;
  if (options.dataset !== undefined) {
    const projects = await discoverProjects(options.workspaceRoot);
    const dataset = requireProject(projects.datasets, options.dataset, 'dataset', '(command line)');
    spec = await projectDatasetSpec(dataset);
    out ??= join(options.workspaceRoot, syntheticDataPath(dataset));
  } else {
    spec = await loadDatasetSpec(options.spec!);
    if (out === undefined)
      throw cairnError('OPTION_REQUIRED', '--out <file> is required with --spec', {
        data: { option: 'out' },
      });
  }
  await ensureDirectory(join(out, '..'));
  return writeSyntheticDataset(spec, out, {
    ...(options.rows !== undefined ? { rows: options.rows } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    edgeCases: options.edgeCases ?? false,
  });
}
