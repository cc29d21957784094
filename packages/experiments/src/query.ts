import { tableToCsv } from '@cairn/table';
import { experimentError } from './errors';
import type { ExperimentRecord } from './record';
import type { IndexedRecord } from './store';
import { fieldValue, matchesWhere, parseWhere } from './where';

export interface Selection {
  project?: string;
  where?: string;
  /** A field (`metrics.accuracy`, `created`, …; a bare name is a metric), optionally `:asc` or `:desc`. */
  sortBy?: string;
  limit?: number;
}

const TOP_LEVEL = new Set([
  'id',
  'project',
  'kind',
  'status',
  'created',
  'durationMs',
  'commit',
  'host',
  'uncommitted',
]);

function sortKey(sortBy: string): { path: string[]; descending: boolean } {
  const match = /^([A-Za-z_][\w.-]*?)(?::(asc|desc))?$/.exec(sortBy);
  if (!match) {
    throw experimentError(
      'EXP_SORT_INVALID',
      `--sort-by ${sortBy}: not a field`,
      { sortBy },
      'name a field such as metrics.accuracy, accuracy:desc, created or params.lr:asc',
    );
  }
  const path = match[1]!.split('.');
  const qualified = path.length === 1 && !TOP_LEVEL.has(path[0]!) ? ['metrics', path[0]!] : path;
  return { path: qualified, descending: match[2] === 'desc' };
}

/**
 * Filters, sorts and cuts records (already newest first). Records lacking
 * the sort field go last whatever the direction, so `--sort-by auc:desc
 * --limit 5` is the five best that have an auc.
 */
export function selectExperiments<T extends IndexedRecord>(records: T[], selection: Selection): T[] {
  const where = selection.where !== undefined ? parseWhere(selection.where) : undefined;
  let selected = records.filter(
    (record) =>
      (selection.project === undefined || record.project === selection.project) &&
      (where === undefined || matchesWhere(where, record)),
  );
  if (selection.sortBy !== undefined) {
    const { path, descending } = sortKey(selection.sortBy);
    const keyed = selected.map((record) => ({ record, key: fieldValue(record, path) }));
    keyed.sort((a, b) => {
      const aMissing = a.key === undefined || a.key === null;
      const bMissing = b.key === undefined || b.key === null;
      if (aMissing || bMissing) return Number(aMissing) - Number(bMissing);
      const order =
        typeof a.key === 'number' && typeof b.key === 'number'
          ? a.key - b.key
          : String(a.key).localeCompare(String(b.key));
      return descending ? -order : order;
    });
    selected = keyed.map((entry) => entry.record);
  }
  if (selection.limit !== undefined) {
    if (!Number.isInteger(selection.limit) || selection.limit < 0) {
      throw experimentError('EXP_SORT_INVALID', `--limit ${selection.limit}: not a whole number ≥ 0`, {
        limit: selection.limit,
      });
    }
    selected = selected.slice(0, selection.limit);
  }
  return selected;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Flat columns: the identity fields, then `params.*`, `metrics.*` and `data.*` across every record, sorted. */
export function flatTable(records: IndexedRecord[]): { columns: string[]; rows: Record<string, string>[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const data = new Set<string>();
  for (const record of records) {
    Object.keys(record.params).forEach((key) => params.add(key));
    Object.keys(record.metrics).forEach((key) => metrics.add(key));
    Object.keys(record.data).forEach((key) => data.add(key));
  }
  const columns = [
    'id',
    'project',
    'kind',
    'status',
    'created',
    'durationMs',
    'commit',
    ...[...params].sort().map((key) => `params.${key}`),
    ...[...metrics].sort().map((key) => `metrics.${key}`),
    ...[...data].sort().map((key) => `data.${key}`),
  ];
  const rows = records.map((record) =>
    Object.fromEntries(
      columns.map((column) => [column, cellText(fieldValue(record, column.split(/\.(.*)/s, 2)))]),
    ),
  );
  return { columns, rows };
}

export function listCsv(records: IndexedRecord[]): string {
  const { columns, rows } = flatTable(records);
  return tableToCsv(columns, rows);
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(columns: string[], rows: string[][]): string {
  const lines = [
    `| ${columns.map(markdownCell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

export function listMarkdown(records: IndexedRecord[]): string {
  const { columns, rows } = flatTable(records);
  return markdownTable(
    columns,
    rows.map((row) => columns.map((column) => row[column]!)),
  );
}

export interface DiffRow {
  section: 'params' | 'metrics' | 'data' | 'code' | 'run';
  key: string;
  a: unknown;
  b: unknown;
  changed: boolean;
  /** b − a for numbers. */
  delta?: number;
}

/** Params, metrics, data and code of two records side by side. */
export function diffExperiments(a: ExperimentRecord, b: ExperimentRecord): DiffRow[] {
  const rows: DiffRow[] = [];
  const side = (
    section: DiffRow['section'],
    left: Record<string, unknown>,
    right: Record<string, unknown>,
  ) => {
    for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
      const x = left[key];
      const y = right[key];
      const row: DiffRow = { section, key, a: x, b: y, changed: JSON.stringify(x) !== JSON.stringify(y) };
      if (typeof x === 'number' && typeof y === 'number') row.delta = y - x;
      rows.push(row);
    }
  };
  side(
    'run',
    { id: a.id, project: a.project, kind: a.kind, status: a.status, created: a.created },
    {
      id: b.id,
      project: b.project,
      kind: b.kind,
      status: b.status,
      created: b.created,
    },
  );
  side('params', a.params, b.params);
  side('metrics', a.metrics, b.metrics);
  side('data', a.data, b.data);
  side(
    'code',
    { commit: a.commit, uncommitted: a.uncommitted, artifacts: a.artifacts },
    { commit: b.commit, uncommitted: b.uncommitted, artifacts: b.artifacts },
  );
  return rows;
}

export function diffMarkdown(a: ExperimentRecord, b: ExperimentRecord, rows: DiffRow[]): string {
  return markdownTable(
    ['', 'key', a.id, b.id, 'Δ'],
    rows.map((row) => [
      row.changed ? row.section : `${row.section} (same)`,
      row.key,
      cellText(row.a),
      cellText(row.b),
      row.delta === undefined ? '' : `${row.delta >= 0 ? '+' : ''}${Number(row.delta.toPrecision(6))}`,
    ]),
  );
}
