import { readTable } from '@cairn/pipeline/project-config';

export interface InferredColumn {
  type: 'number' | 'integer' | 'string';
  nullable?: boolean;
  min?: number;
  max?: number;
  categories?: string[];
}

/** Distinct values up to which a string column is described by its categories. */
const MAX_CATEGORIES = 20;

/**
 * Column types and plausible bounds for a new dataset.json, from the data the
 * user is importing: numbers get their observed range, low-cardinality text
 * (and the label) its categories. The user is expected to review them.
 */
export async function describeColumns(
  file: string,
  format: 'csv' | 'json' | 'jsonl',
  label?: string,
): Promise<Record<string, InferredColumn>> {
  const table = await readTable(file, format);
  const columns: Record<string, InferredColumn> = {};
  for (const column of table.columns) {
    const values = table.rows.map((row) => row[column] ?? null);
    const present = values.filter((value) => value !== null);
    const nullable = present.length < values.length;
    const numeric = present.length > 0 && present.every((value) => typeof value === 'number');
    if (numeric && column !== label) {
      const numbers = present as number[];
      columns[column] = {
        type: numbers.every(Number.isInteger) ? 'integer' : 'number',
        ...(nullable ? { nullable: true } : {}),
        min: Math.min(...numbers),
        max: Math.max(...numbers),
      };
      continue;
    }
    const distinct = [...new Set(present.map(String))].sort();
    columns[column] = {
      type: 'string',
      ...(nullable ? { nullable: true } : {}),
      ...(distinct.length <= MAX_CATEGORIES || column === label ? { categories: distinct } : {}),
    };
  }
  return columns;
}
