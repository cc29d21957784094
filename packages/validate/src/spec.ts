/** The `validation` section of a dataset's `dataset.json` (schema: schemas/dataset-spec.schema.json). */

export type DataFormat = 'csv' | 'json' | 'jsonl';
export type ColumnType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime';
export type Severity = 'error' | 'warning';
/** `off` disables a rule. */
export type SeverityLevel = Severity | 'off';

/** Every rule a violation can name; also the keys of `severity.rules` and of the report summary. */
export const RULE_KINDS = [
  'format',
  'column-missing',
  'column-unexpected',
  'type',
  'nullable',
  'range',
  'length',
  'pattern',
  'category',
  'unique',
  'key',
  'rows',
  'balance',
  'row-schema',
  'pii',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/**
 * A normal is truncated to the column's min/max; categorical weights are
 * relative (they need not sum to 1) and keyed by the category's text.
 */
export type ColumnDistribution =
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'uniform' }
  | { kind: 'categorical'; weights: Record<string, number> };

export interface ColumnSpec {
  type?: ColumnType;
  /** Default true. For CSV a value listed in `csv.nullValues` (default: the empty string) is null. */
  nullable?: boolean;
  /** Numbers for number/integer columns, ISO 8601 strings for date/datetime columns. */
  min?: number | string;
  max?: number | string;
  minLength?: number;
  maxLength?: number;
  /** An ECMAScript regular expression the whole value must match (anchored for you). */
  pattern?: string;
  categories?: (string | number | boolean)[];
  unique?: boolean;
  /** How values are spread; used by `cairn synth` only (validation does not check it). */
  distribution?: ColumnDistribution;
  /** Severity for this column's violations: one level, or one per rule kind. */
  severity?: SeverityLevel | Partial<Record<RuleKind, SeverityLevel>>;
  description?: string;
}

export interface DatasetSpec {
  /** Inferred from the data file's extension when omitted. */
  format?: DataFormat;
  csv?: { delimiter?: string; header?: boolean; nullValues?: string[] };
  columns?: Record<string, ColumnSpec>;
  /** false: a column that `columns` does not list is a `column-unexpected` violation. Default true. */
  additionalColumns?: boolean;
  /** Columns whose combined values must be unique (rows with a null key part are skipped). */
  key?: string[];
  rows?: { min?: number; max?: number };
  label?: { column: string; balance?: { minShare?: number; maxShare?: number } };
  /** A JSON Schema (draft 7) every row must satisfy, checked with ajv on the typed row. */
  rowSchema?: Record<string, unknown> | boolean;
  pii?: { scan?: boolean; columns?: string[]; kinds?: PiiKind[]; severity?: SeverityLevel };
  severity?: { default?: Severity; rules?: Partial<Record<RuleKind, SeverityLevel>> };
}

export type PiiKind = 'email' | 'phone' | 'credit-card' | 'iban' | 'ipv4' | 'ipv6';
export const PII_KINDS: readonly PiiKind[] = ['email', 'phone', 'credit-card', 'iban', 'ipv4', 'ipv6'];
