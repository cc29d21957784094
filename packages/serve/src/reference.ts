import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { cairnError } from '@cairn/errors';
import { readTable } from '@cairn/table';
import type { ModelManifest, Row } from './manifest';

/**
 * Reads training data (a table with a header row, like `CAIRN_TRAIN_FILE`) as
 * the server's reference: numeric features become numbers (NaN when a cell is
 * empty or not a number by @cairn/table's rule), other columns keep their
 * cells. Every feature column must be present.
 */
export async function readReferenceCsv(file: string, manifest: ModelManifest): Promise<Row[]> {
  const table = readTable(file);
  const header = new Set(table.columns);
  for (const feature of manifest.features) {
    if (!header.has(feature.name)) {
      throw cairnError(
        'SERVE_REFERENCE_INVALID',
        `${file}: column "${feature.name}" (a model feature) is missing from the header`,
        {
          data: { file, column: feature.name },
          hint: `the header must name every feature of ${manifest.entry}'s model: ${manifest.features.map((f) => f.name).join(', ')}`,
        },
      );
    }
  }
  const numeric = new Set(manifest.features.filter((f) => f.type === 'number').map((f) => f.name));
  return table.rows.map((cells) => {
    const row: Row = {};
    for (const [name, cell] of Object.entries(cells)) {
      row[name] = numeric.has(name) ? (typeof cell === 'number' ? cell : Number.NaN) : (cell ?? '');
    }
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
