import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix, relative, resolve } from 'node:path';
import { formatFiles, joinPathFragments, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { cairnError, UsageError } from '@cairn/errors';
import { add } from '@cairn/store';
import { tableLayoutOf } from '@cairn/table';
import { inferTask } from '../../lib/infer-task';
import { initGenerator } from '../init/generator';
import type { DatasetGeneratorSchema } from './schema';

class LabelNotAColumnError extends UsageError<{ label: string; file: string; columns: string[] }> {
  constructor(label: string, file: string, columns: string[]) {
    super(
      'LABEL_NOT_A_COLUMN',
      `--label "${label}" is not a column of ${file}; its columns: ${columns.join(', ')}`,
      {
        data: { label, file, columns },
        hint: `pass one of: ${columns.join(', ')}`,
      },
    );
  }
}

function copyIntoTree(tree: Tree, source: string, target: string): void {
  const stats = statSync(source);
  if (stats.isDirectory()) {
    for (const entry of readdirSync(source))
      copyIntoTree(tree, join(source, entry), posix.join(target, entry));
  } else if (stats.isFile()) {
    tree.write(target, readFileSync(source));
  }
}

/**
 * Copies a local file or folder into a new dataset project, writes dataset.json
 * (columns and types inferred from the data) and, once the files are on disk,
 * tracks the data with `cairn add` (pointer file + .gitignore entry).
 */
export async function datasetGenerator(
  tree: Tree,
  options: DatasetGeneratorSchema,
): Promise<GeneratorCallback> {
  const source = resolve(process.cwd(), options.source);
  if (!existsSync(source)) {
    throw cairnError('SOURCE_NOT_FOUND', `--source ${options.source}: no such file or folder`, {
      data: { source: options.source },
      hint: 'give a CSV, JSON or JSON-lines file (or a folder of them) on this machine',
    });
  }
  const installWorkspace = await initGenerator(tree, { skipFormat: true });
  const directory = options.directory ?? joinPathFragments('datasets', options.name);
  const dataName = basename(source);
  const isFile = statSync(source).isFile();
  const format = isFile ? tableLayoutOf(source)?.format : undefined;
  const dataPath = posix.join(directory, dataName);
  copyIntoTree(tree, source, dataPath);

  const datasetJson: Record<string, unknown> = {
    $schema: posix.join(
      posix.relative(directory, '.') || '.',
      'node_modules/@cairn/nx/schemas/dataset.schema.json',
    ),
    name: options.name,
    description: `Dataset ${options.name}, imported from ${basename(source)}`,
    data: dataName,
    ...(format ? { format } : {}),
    ...(options.label ? { label: options.label } : {}),
  };
  if (format) {
    // The whole file is read (streaming), so the observed ranges hold for all of it.
    const { inferColumns } = await import('@cairn/validate');
    const columns = await inferColumns(source, {
      ranges: true,
      sampleRows: Number.POSITIVE_INFINITY,
      spec: { format },
    });
    datasetJson.validation = { format, columns };
    if (options.label !== undefined) {
      const column = columns[options.label];
      if (!column) throw new LabelNotAColumnError(options.label, dataName, Object.keys(columns));
      const { task, reason } = inferTask(column);
      logger.info(
        `Label "${options.label}": ${reason}, so the task is ${task} (a model can override it with --task).`,
      );
    }
  }
  tree.write(posix.join(directory, 'dataset.json'), `${JSON.stringify(datasetJson, null, 2)}\n`);
  if (!options.skipFormat) await formatFiles(tree);

  return async () => {
    await installWorkspace();
    const root = tree.root;
    await add(root, [relative(root, join(root, dataPath))]);
  };
}

export default datasetGenerator;
