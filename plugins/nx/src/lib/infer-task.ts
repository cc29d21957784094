import type { Task } from '@cairn/pipeline/project-config';

/** What the dataset generator infers about a column (see @cairn/validate inferColumns). */
export interface InferredColumn {
  type?: string;
  categories?: unknown[];
  /** Numbers for numeric columns (ISO dates for date columns, which never reach the integer rule). */
  min?: number | string;
  max?: number | string;
}

/** Integer labels spanning at most this many values are read as class ids (0–9), not quantities. */
const MAX_INTEGER_CLASSES = 10;

/**
 * The learning task a label column suggests, with the reason to show the user
 * (who can override it with `--task`): two categories (or booleans, or the
 * integers 0/1) are binary, more categories or a few integer class ids are
 * multiclass, and other numbers are regression.
 */
export function inferTask(column: InferredColumn | undefined): { task: Task; reason: string } {
  if (column?.categories) {
    const classes = column.categories.length;
    return {
      task: classes === 2 ? 'binary' : 'multiclass',
      reason: `${classes} classes (${column.categories.join(', ')})`,
    };
  }
  if (column?.type === 'boolean') return { task: 'binary', reason: 'a boolean column' };
  if (column?.type === 'string') return { task: 'multiclass', reason: 'a text column' };
  if (column?.type === 'integer' && typeof column.min === 'number' && typeof column.max === 'number') {
    const span = column.max - column.min + 1;
    if (span === 2) return { task: 'binary', reason: `integers ${column.min} and ${column.max}` };
    if (span <= MAX_INTEGER_CLASSES)
      return { task: 'multiclass', reason: `integer class ids ${column.min}–${column.max}` };
  }
  return {
    task: 'regression',
    reason: column?.type ? `a numeric column (${column.type})` : 'no inferred type',
  };
}
