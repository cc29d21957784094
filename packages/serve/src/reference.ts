import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CairnError } from '@cairn/errors';
import type { ModelManifest, Row } from './manifest';

/**
 * Reads training data (a CSV with a header row, like `CAIRN_TRAIN_FILE`) as
 * the server's reference: numeric features are parsed as numbers, the label
 * column is kept as text. Every feature column must be present.
 */
export async function readReferenceCsv(file: string, manifest: ModelManifest): Promise<Row[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new CairnError(
      'SERVE_REFERENCE_UNREADABLE',
      `${file}: cannot read the reference data (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      {
        data: { file },
        cause: error,
      },
    );
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (error) {
    throw new CairnError(
      'SERVE_REFERENCE_INVALID',
      `${file}: not a CSV with a header row: ${(error as Error).message}`,
      {
        data: { file },
        cause: error,
      },
    );
  }
  const header = new Set(Object.keys(records[0] ?? {}));
  for (const feature of manifest.features) {
    if (!header.has(feature.name)) {
      throw new CairnError(
        'SERVE_REFERENCE_INVALID',
        `${file}: column "${feature.name}" (a model feature) is missing from the header`,
        {
          data: { file, column: feature.name },
          hint: `the header must name every feature of ${manifest.entry}'s model: ${manifest.features.map((f) => f.name).join(', ')}`,
        },
      );
    }
  }
  const numeric = manifest.features.filter((f) => f.type === 'number').map((f) => f.name);
  return records.map((record) => {
    const row: Row = { ...record };
    for (const name of numeric) row[name] = record[name] === '' ? Number.NaN : Number(record[name]);
    return row;
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/**
 * A short identity for an artifact folder when no version is given: sha256
 * over its sorted relative paths and contents (12 hex digits). Same bytes,
 * same version, on any machine.
 */
export async function artifactVersion(artifactDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(artifactDir)) {
    hash.update(`${file}\0`);
    hash.update(
      createHash('sha256')
        .update(await fs.readFile(join(artifactDir, file)))
        .digest(),
    );
  }
  return hash.digest('hex').slice(0, 12);
}
