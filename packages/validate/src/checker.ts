import type { ValidateFunction } from 'ajv';
import { CategoryTable } from './category-table';
import { DigestSet, type DigestTable } from './digest-set';
import { compileWholeMatch } from './linear-regexp';
import { compileRowSchema, patternError, pointerToken } from './parse-spec';
import { integerKey, numberKey, NumberKeys, keyText, type SettledKeys, sharesAnyKey } from './number-keys';
import { maskPii, mayHoldPii, scanPii } from './pii';
import {
  RULE_KINDS,
  type ColumnSpec,
  type ColumnType,
  type DataFormat,
  type DatasetSpec,
  type PiiKind,
  type RuleKind,
  type Severity,
  type SeverityLevel,
} from './spec';
import {
  clip,
  detach,
  parseBooleanRange,
  parseDateDaysRange,
  parseDateRange,
  parseIntegerRange,
  parseDateTimeText,
  parseNumberRange,
} from './values';

export interface Violation {
  rule: RuleKind;
  severity: Severity;
  /** 1-based data row: the header is not counted, so row 1 is the first record (CSV) or element/line object (JSON, JSONL). */
  row?: number;
  /** 1-based line of the file where the row starts (CSV and JSONL). */
  line?: number;
  column?: string;
  /** The offending value as read (strings cut to 200 characters; personal data masked). */
  value?: unknown;
  message: string;
}

export interface PiiFinding {
  column: string;
  kind: PiiKind;
  /** Values found (a cell can hold several). */
  count: number;
  /** The first rows holding one (at most 5). */
  rows: number[];
  /** A masked example. */
  example: string;
}

export interface ColumnStats {
  nulls: number;
  /** Numeric columns: smallest and largest valid value seen. */
  min?: number;
  max?: number;
}

export interface ValidationReport {
  ok: boolean;
  file: string;
  format: DataFormat;
  bytes: number;
  rows: number;
  /** Columns as found in the data (CSV header, or keys seen in JSON rows). */
  columns: string[];
  errors: number;
  warnings: number;
  /** At most `maxViolations`, in the order found; counts above cover all of them. */
  violations: Violation[];
  truncated: boolean;
  /** Rule kind → number of violations (errors and warnings). */
  summary: Record<string, number>;
  pii: PiiFinding[];
  stats: Record<string, ColumnStats>;
  /** Label column value → rows, when the spec names a label. */
  classes?: Record<string, number>;
  durationMs: number;
}

export interface ValidateOptions {
  /** Violations kept in the report (counting goes on). Default 1000. */
  maxViolations?: number;
  /**
   * Called after each chunk with the bytes read so far (over all ranges of a
   * parallel read; starts again from 0 if that read falls back to one pass).
   */
  onProgress?: (bytes: number) => void;
  /** The spec's file, named in messages. */
  specFile?: string;
  /**
   * CSV: read the file as this many byte ranges, validated in parallel on
   * worker threads. Default: one per core when each gets at least 32 MiB,
   * else 1. The report is the same for every count.
   */
  ranges?: number;
}

const MAX_CLASSES = 10_000;

function severityLevel(spec: DatasetSpec, rule: RuleKind, column?: ColumnSpec): SeverityLevel {
  const own = column?.severity;
  if (typeof own === 'string') return own;
  const forRule = own?.[rule];
  if (forRule) return forRule;
  if (rule === 'pii' && spec.pii?.severity) return spec.pii.severity;
  return spec.severity?.rules?.[rule] ?? spec.severity?.default ?? 'error';
}

/** A violation with its fields in report order: rule, severity, row, line, column, value, message. */
function violationOf(
  rule: RuleKind,
  level: Severity,
  row: number | undefined,
  line: number | undefined,
  column: string | undefined,
  value: unknown,
  message: string,
): Violation {
  const violation = { rule, severity: level } as Violation;
  if (row !== undefined) violation.row = row;
  if (line !== undefined) violation.line = line;
  if (column !== undefined) violation.column = column;
  if (value !== undefined) violation.value = typeof value === 'string' ? detach(value) : value;
  violation.message = message;
  return violation;
}

type Sink = (
  rule: RuleKind,
  level: SeverityLevel,
  row: number | undefined,
  line: number | undefined,
  column: string | undefined,
  value: unknown,
  message: () => string,
  /** A CSV column check's position among the checked columns (see DatasetChecker.place). */
  checkIndex?: number,
) => void;

/** Column types as small integers: the per-field switch then compiles to a jump table. */
const Kind = { String: 0, Number: 1, Integer: 2, Boolean: 3, Date: 4, DateTime: 5 } as const;
const KIND_OF: Record<ColumnType, number> = {
  string: Kind.String,
  number: Kind.Number,
  integer: Kind.Integer,
  boolean: Kind.Boolean,
  date: Kind.Date,
  datetime: Kind.DateTime,
};

/** The checks for one column; `checkText` for CSV fields, `checkValue` for JSON values. */
class ColumnCheck {
  readonly type: ColumnType | undefined;
  private readonly kind: number;
  readonly nullable: boolean;
  readonly min: number;
  readonly max: number;
  readonly hasRange: boolean;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: { test(text: string): boolean } | undefined;
  readonly textCategories: Set<string> | undefined;
  private readonly categoryTable: CategoryTable | undefined;
  readonly numberCategories: Set<number> | undefined;
  readonly unique: DigestSet | undefined;
  /** CSV, numeric `unique` column: canonical numbers are kept here instead of in `unique` (see NumberKeys). */
  numberKeys: NumberKeys | undefined;
  private settledKeys: SettledKeys | undefined;
  nulls = 0;
  private smallest = Infinity;
  private largest = -Infinity;
  /** Label column: value → rows, in first-seen order (read through `labels()`). */
  labelCounts: Map<string, number> | undefined;
  /**
   * Label column with categories: rows per category slot, kept apart from
   * `labelCounts` (two Map operations per row) until `labels()`. A category's
   * entry in `labelCounts` is still made when it is first seen, so the map's
   * order and its cap at MAX_CLASSES stay those of counting in the map.
   */
  private labelSlotCounts: Float64Array | undefined;
  /** Per slot: 0 not seen yet, 1 counted, 2 refused (first seen after the cap). */
  private labelSlotStates: Uint8Array | undefined;
  scanPii = false;
  readonly level: Record<RuleKind, SeverityLevel>;

  constructor(
    readonly name: string,
    readonly spec: ColumnSpec,
    datasetSpec: DatasetSpec,
    private readonly sink: Sink,
  ) {
    this.type = spec.type;
    this.kind = spec.type === undefined ? Kind.String : KIND_OF[spec.type];
    this.nullable = spec.nullable !== false;
    const temporal = spec.type === 'date' || spec.type === 'datetime';
    const bound = (value: number | string | undefined, fallback: number) =>
      value === undefined
        ? fallback
        : typeof value === 'number'
          ? value
          : temporal
            ? Date.parse(value)
            : fallback;
    this.min = bound(spec.min, -Infinity);
    this.max = bound(spec.max, Infinity);
    this.hasRange = spec.min !== undefined || spec.max !== undefined;
    this.minLength = spec.minLength ?? 0;
    this.maxLength = spec.maxLength ?? Infinity;
    try {
      this.pattern = spec.pattern === undefined ? undefined : compileWholeMatch(spec.pattern);
    } catch (error) {
      // Specs read from dataset.json were checked already; this guards specs built in code.
      throw patternError('dataset spec', `/columns/${pointerToken(name)}/pattern`, error);
    }
    if (spec.categories) {
      if (spec.type === 'number' || spec.type === 'integer')
        this.numberCategories = new Set(spec.categories.map(Number));
      else {
        this.textCategories = new Set(spec.categories.map(String));
        this.categoryTable = new CategoryTable(this.textCategories);
      }
    }
    const level = {} as Record<RuleKind, SeverityLevel>;
    for (const rule of RULE_KINDS) level[rule] = severityLevel(datasetSpec, rule, spec);
    this.level = level;
    if (spec.unique && level.unique !== 'off') this.unique = new DigestSet();
  }

  private fail(
    rule: RuleKind,
    row: number,
    line: number | undefined,
    value: unknown,
    message: () => string,
  ): void {
    this.sink(rule, this.level[rule], row, line, this.name, value, message, this.checkIndex);
  }

  /** Position among the checked columns of a CSV file, set with the header. */
  checkIndex: number | undefined;

  /**
   * Checks one CSV field, `text.slice(start, end)`, without making that string
   * unless a check needs it. Returns the typed value for row schemas: null,
   * a number or boolean, or undefined meaning "the text itself".
   */
  checkField(text: string, start: number, end: number, isNull: boolean, row: number, line: number): unknown {
    if (isNull) {
      this.nulls++;
      if (!this.nullable) this.failNull('empty', row, line);
      return null;
    }
    let typed: unknown;
    let digests = this.unique;
    switch (this.kind) {
      case Kind.Integer:
      case Kind.Number: {
        const number =
          this.kind === Kind.Integer
            ? parseIntegerRange(text, start, end)
            : parseNumberRange(text, start, end);
        if (number !== number) {
          this.failNumberType(text, start, end, row, line);
          return undefined;
        }
        this.checkNumber(number, row, line);
        if (this.numberCategories !== undefined && !this.numberCategories.has(number)) {
          this.failCategory(text.slice(start, end), row, line);
        }
        if (this.numberKeys !== undefined) {
          this.checkUniqueNumber(text, start, end, number, row, line);
          digests = undefined;
        }
        typed = number;
        break;
      }
      case Kind.Boolean:
        typed = parseBooleanRange(text, start, end);
        if (typed === undefined) {
          this.failType(text.slice(start, end), 'a boolean (true/false)', row, line);
          return undefined;
        }
        break;
      case Kind.Date: {
        const days = parseDateDaysRange(text, start, end);
        if (days !== days) {
          this.failType(text.slice(start, end), 'an ISO 8601 date (YYYY-MM-DD)', row, line);
          return undefined;
        }
        if (this.hasRange) {
          const time = days * 86_400_000;
          if (time < this.min || time > this.max) this.failRange(text.slice(start, end), row, line);
        }
        break;
      }
      case Kind.DateTime:
        if (!this.checkTemporal(text.slice(start, end), row, line)) return undefined;
        break;
      default: {
        const length = end - start;
        if (length < this.minLength || length > this.maxLength)
          this.failLength(text.slice(start, end), row, line);
        if (this.pattern !== undefined && !this.pattern.test(text.slice(start, end))) {
          this.failPattern(text.slice(start, end), row, line);
        }
      }
    }
    let categorySlot = -1;
    if (this.categoryTable !== undefined) {
      categorySlot = this.categoryTable.slotOf(text, start, end);
      if (categorySlot < 0) this.failCategory(text.slice(start, end), row, line);
    }
    if (digests !== undefined && !digests.addRange(text, start, end)) {
      this.failUnique(text.slice(start, end), row, line);
    }
    if (this.labelCounts !== undefined) {
      if (categorySlot >= 0) this.countCategoryLabel(categorySlot);
      else this.countLabel(text.slice(start, end));
    }
    if (this.scanPii) this.findPii(text.slice(start, end), row, line);
    return typed;
  }

  /**
   * A number column checked for its type, range and number-key uniqueness
   * only (`plainNumber`): small enough for V8 to inline into textRow, where
   * `checkField` is a call through its whole switch for every field.
   */
  plainNumber = false;

  checkPlainNumber(text: string, start: number, end: number, row: number, line: number): void {
    const number =
      this.kind === Kind.Integer ? parseIntegerRange(text, start, end) : parseNumberRange(text, start, end);
    if (number !== number) {
      this.failNumberType(text, start, end, row, line);
      return;
    }
    this.checkNumber(number, row, line);
    if (this.numberKeys !== undefined) this.checkUniqueNumber(text, start, end, number, row, line);
  }

  /** `unique` on a number column: a number key, or the text's digest when the text is not canonical. */
  private checkUniqueNumber(
    text: string,
    start: number,
    end: number,
    number: number,
    row: number,
    line: number,
  ): void {
    const key =
      this.kind === Kind.Integer ? integerKey(text, start, end, number) : numberKey(text, start, end);
    if (key === key) this.numberKeys!.add(key, row, line);
    else if (!this.unique!.addRange(text, start, end)) this.failUnique(text.slice(start, end), row, line);
  }

  private failNumberType(text: string, start: number, end: number, row: number, line: number): void {
    this.failType(text.slice(start, end), this.type === 'integer' ? 'an integer' : 'a number', row, line);
  }

  /** Checks one JSON value (undefined = key absent = null). */
  checkValue(value: unknown, row: number, line: number | undefined): void {
    if (value === null || value === undefined) {
      this.nulls++;
      if (!this.nullable) this.failNull(value === null ? 'null' : 'missing', row, line);
      return;
    }
    const kind = typeof value;
    const wrongType = (expected: string) => this.failType(value, expected, row, line);
    switch (this.type) {
      case 'integer':
      case 'number':
        if (
          kind !== 'number' ||
          !Number.isFinite(value) ||
          (this.type === 'integer' && !Number.isInteger(value))
        ) {
          return wrongType(this.type === 'integer' ? 'an integer' : 'a number');
        }
        this.checkNumber(value as number, row, line);
        if (this.numberCategories !== undefined && !this.numberCategories.has(value as number))
          this.failCategory(value, row, line);
        break;
      case 'boolean':
        if (kind !== 'boolean') return wrongType('a boolean');
        break;
      case 'date':
      case 'datetime':
        if (kind !== 'string') return wrongType(`an ISO 8601 ${this.type} string`);
        if (!this.checkTemporal(value as string, row, line)) return;
        break;
      case 'string':
        if (kind !== 'string') return wrongType('a string');
        this.checkString(value as string, row, line);
        break;
      default:
        if (kind === 'string') this.checkString(value as string, row, line);
    }
    const text =
      kind === 'string' ? (value as string) : kind === 'object' ? JSON.stringify(value) : String(value);
    if (this.textCategories !== undefined && !this.textCategories.has(text))
      this.failCategory(value, row, line);
    if (this.unique !== undefined && !this.unique.add(kind === 'string' ? `s${text}` : `v${text}`))
      this.failUnique(value, row, line);
    if (this.labelCounts !== undefined) this.countLabel(text);
    if (this.scanPii && kind === 'string') this.findPii(text, row, line);
  }

  /** What the rows read so far left in this column, as data a thread can post. */
  snapshot(): ColumnState {
    const state: ColumnState = {
      nulls: this.nulls,
      smallest: this.smallest,
      largest: this.largest,
      pii: [...this.pii.values()],
    };
    if (this.labelCounts !== undefined) state.labels = [...this.labels()];
    if (this.unique !== undefined) state.unique = this.unique.toTable();
    if (this.settledKeys !== undefined) state.numberKeys = this.settledKeys.sorted;
    return state;
  }

  /** Finds the repeats among the number keys (after the last row); undefined when the column keeps none. */
  settleNumberKeys(limit: number): SettledKeys | undefined {
    if (this.numberKeys !== undefined) {
      this.settledKeys = this.numberKeys.settle(limit);
      this.numberKeys = undefined;
    }
    return this.settledKeys;
  }

  /** The violation `failUnique` would have reported for a repeated number key. */
  repeatedKeyViolation(row: number, line: number, key: number): Violation {
    const text = keyText(key);
    return violationOf(
      'unique',
      this.level.unique as Severity,
      row,
      line,
      this.name,
      text,
      this.uniqueMessage(text),
    );
  }

  private readonly absorbedUnique: DigestSet[] = [];
  private readonly absorbedNumberKeys: (Float64Array | Uint32Array)[] = [];

  /**
   * Adds the state of the next rows of the file (`rowOffset` rows came
   * before them). False when the merge cannot equal one pass over the file:
   * a unique value repeats across parts (one pass reports its first repeat,
   * which the later part could not know), or the label cap was reached.
   */
  absorb(state: ColumnState, rowOffset: number): boolean {
    this.nulls += state.nulls;
    if (state.smallest < this.smallest) this.smallest = state.smallest;
    if (state.largest > this.largest) this.largest = state.largest;
    for (const part of state.pii) {
      const rows = part.rows.map((row) => row + rowOffset);
      const finding = this.pii.get(part.kind);
      if (!finding) {
        this.pii.set(part.kind, { ...part, rows });
        continue;
      }
      finding.count += part.count;
      for (const row of rows) if (finding.rows.length < 5) finding.rows.push(row);
    }
    if (state.labels !== undefined) {
      const counts = this.labelCounts!;
      if (state.labels.length >= MAX_CLASSES) return false;
      for (const [label, count] of state.labels) counts.set(label, (counts.get(label) ?? 0) + count);
      if (counts.size >= MAX_CLASSES) return false;
    }
    if (state.unique !== undefined) {
      for (const earlier of this.absorbedUnique) if (earlier.sharesAnyWith(state.unique)) return false;
      this.absorbedUnique.push(DigestSet.fromTable(state.unique));
    }
    if (state.numberKeys !== undefined) {
      for (const earlier of this.absorbedNumberKeys)
        if (sharesAnyKey(earlier, state.numberKeys)) return false;
      this.absorbedNumberKeys.push(state.numberKeys);
    }
    return true;
  }

  get stats(): ColumnStats {
    return this.smallest <= this.largest
      ? { nulls: this.nulls, min: this.smallest, max: this.largest }
      : { nulls: this.nulls };
  }

  private checkNumber(number: number, row: number, line: number | undefined): void {
    if (number < this.smallest) this.smallest = number;
    if (number > this.largest) this.largest = number;
    if (number < this.min || number > this.max) this.failRange(number, row, line);
  }

  private checkTemporal(text: string, row: number, line: number | undefined): boolean {
    const time = this.type === 'date' ? parseDateRange(text, 0, text.length) : parseDateTimeText(text);
    if (Number.isNaN(time)) {
      this.failType(
        text,
        `an ISO 8601 ${this.type === 'date' ? 'date (YYYY-MM-DD)' : 'date-time (YYYY-MM-DDTHH:MM[:SS][Z])'}`,
        row,
        line,
      );
      return false;
    }
    if (this.hasRange && (time < this.min || time > this.max)) this.failRange(text, row, line);
    return true;
  }

  private checkString(text: string, row: number, line: number | undefined): void {
    const length = text.length;
    if (length < this.minLength || length > this.maxLength) this.failLength(text, row, line);
    if (this.pattern !== undefined && !this.pattern.test(text)) this.failPattern(text, row, line);
  }

  // Failure paths live in their own methods: a closure inside a hot method would cost an allocation per call.
  private failNull(what: string, row: number, line: number | undefined): void {
    this.fail('nullable', row, line, null, () => `${this.name} is ${what} but the column is not nullable`);
  }

  private failType(value: unknown, expected: string, row: number, line: number | undefined): void {
    const shown = typeof value === 'string' ? clip(value) : value;
    this.fail(
      'type',
      row,
      line,
      shown,
      () => `${this.name} = ${clip(JSON.stringify(value))} is not ${expected}`,
    );
  }

  private failRange(value: number | string, row: number, line: number | undefined): void {
    this.fail(
      'range',
      row,
      line,
      value,
      () => `${this.name} = ${value} is outside [${this.spec.min ?? '-∞'}, ${this.spec.max ?? '∞'}]`,
    );
  }

  private failLength(text: string, row: number, line: number | undefined): void {
    this.fail(
      'length',
      row,
      line,
      clip(text),
      () =>
        `${this.name} has ${text.length} characters; allowed ${this.minLength}–${this.maxLength === Infinity ? '∞' : this.maxLength}`,
    );
  }

  private failPattern(text: string, row: number, line: number | undefined): void {
    this.fail(
      'pattern',
      row,
      line,
      clip(text),
      () => `${this.name} = ${JSON.stringify(clip(text))} does not match /${this.spec.pattern}/`,
    );
  }

  private failCategory(value: unknown, row: number, line: number | undefined): void {
    const shown = typeof value === 'string' ? clip(value) : value;
    this.fail('category', row, line, shown, () => {
      const allowed = (this.spec.categories ?? []).slice(0, 20).map((c) => JSON.stringify(c));
      return `${this.name} = ${JSON.stringify(shown)} is not one of ${allowed.join(', ')}${(this.spec.categories?.length ?? 0) > 20 ? ', …' : ''}`;
    });
  }

  private failUnique(value: unknown, row: number, line: number | undefined): void {
    const shown = typeof value === 'string' ? clip(value) : value;
    this.fail('unique', row, line, shown, () => this.uniqueMessage(shown));
  }

  private uniqueMessage(shown: unknown): string {
    return `${this.name} = ${JSON.stringify(shown)} repeats a value of an earlier row`;
  }

  /** Makes this the label column, counting rows per value. */
  countLabels(): void {
    this.labelCounts = new Map();
    if (this.categoryTable !== undefined) {
      this.labelSlotCounts = new Float64Array(this.categoryTable.slots);
      this.labelSlotStates = new Uint8Array(this.categoryTable.slots);
    }
  }

  /** Label counts so far, value → rows in first-seen order. */
  labels(): Map<string, number> {
    const counts = this.labelCounts!;
    const slotCounts = this.labelSlotCounts;
    if (slotCounts !== undefined) {
      for (let slot = 0; slot < slotCounts.length; slot++) {
        if (slotCounts[slot] === 0) continue;
        const category = this.categoryTable!.at(slot);
        counts.set(category, counts.get(category)! + slotCounts[slot]!);
        slotCounts[slot] = 0;
      }
    }
    return counts;
  }

  private countCategoryLabel(slot: number): void {
    const state = this.labelSlotStates![slot];
    if (state === 1) this.labelSlotCounts![slot]!++;
    else if (state === 0) this.countNewCategoryLabel(slot);
  }

  private countNewCategoryLabel(slot: number): void {
    const counts = this.labelCounts!;
    if (counts.size < MAX_CLASSES) {
      counts.set(this.categoryTable!.at(slot), 0);
      this.labelSlotStates![slot] = 1;
      this.labelSlotCounts![slot] = 1;
    } else {
      this.labelSlotStates![slot] = 2;
    }
  }

  private countLabel(text: string): void {
    const counts = this.labelCounts!;
    const seen = counts.get(text);
    if (seen !== undefined) counts.set(text, seen + 1);
    else if (counts.size < MAX_CLASSES) counts.set(detach(text), 1);
  }

  readonly pii = new Map<PiiKind, PiiFinding>();
  piiKinds: readonly PiiKind[] | undefined;

  private findPii(text: string, row: number, line: number | undefined): void {
    if (!mayHoldPii(text)) return;
    const found = scanPii(text, this.piiKinds);
    for (const match of found) {
      const masked = maskPii(match.kind, match.text);
      let finding = this.pii.get(match.kind);
      if (!finding) {
        finding = { column: this.name, kind: match.kind, count: 0, rows: [], example: masked };
        this.pii.set(match.kind, finding);
      }
      finding.count++;
      if (finding.rows.length < 5 && finding.rows[finding.rows.length - 1] !== row) finding.rows.push(row);
      this.fail(
        'pii',
        row,
        line,
        masked,
        () =>
          `${this.name} holds what looks like ${match.kind === 'iban' ? 'an IBAN' : match.kind === 'email' ? 'an email address' : `a ${match.kind.replace('-', ' ')}`} (${masked})`,
      );
    }
  }
}

const NON_TEXT_TYPES = new Set<ColumnType | undefined>(['number', 'integer', 'boolean', 'date', 'datetime']);

/** The streaming checker: feed rows, then `finish()`. */
/** One column's part of a CheckerState. */
export interface ColumnState {
  nulls: number;
  smallest: number;
  largest: number;
  pii: PiiFinding[];
  /** Label counts in first-seen order. */
  labels?: [string, number][];
  unique?: DigestTable;
  /** Distinct number keys, ascending (see NumberKeys). */
  numberKeys?: Float64Array | Uint32Array;
}

/** A checker's results for the rows it read (rows and lines counted from 1 in its part of the file). */
export interface CheckerState {
  rows: number;
  errors: number;
  warnings: number;
  truncated: boolean;
  summary: Record<string, number>;
  violations: Violation[];
  /** In the order of the checker's columns (both sides set the same header). */
  columns: ColumnState[];
  key?: DigestTable;
}

export class DatasetChecker {
  private readonly violations: Violation[] = [];
  private readonly summary: Record<string, number> = {};
  private errors = 0;
  private warnings = 0;
  private truncated = false;
  rows = 0;
  /** Set while a part of a file after the first sets its header: the first part reports header problems. */
  muted = false;
  private columnNames: string[] = [];
  private checks: (ColumnCheck | undefined)[] = [];
  private checkedColumns: ColumnCheck[] = [];
  private checkedIndexes: number[] = [];
  private readonly byName = new Map<string, ColumnCheck>();
  private keyIndexes: number[] | undefined;
  private readonly keySet: DigestSet | undefined;
  private readonly rowSchema: ValidateFunction | undefined;
  private readonly nullValues: Set<string>;
  private readonly emptyIsOnlyNull: boolean;
  private readonly seenUnexpected = new Set<string>();
  private headerSize = 0;
  readonly sink: Sink;

  /**
   * `numberKeys: false` sends every `unique` value to the digest table, as
   * JSON rows do: the specs' oracle for the NumberKeys path.
   */
  constructor(
    private readonly spec: DatasetSpec,
    private readonly maxViolations: number,
    private readonly options: { numberKeys?: boolean } = {},
  ) {
    this.sink = (rule, level, row, line, column, value, message, checkIndex) => {
      if (level === 'off' || this.muted) return;
      const count = this.summary[rule];
      this.summary[rule] = (count ?? 0) + 1;
      if (count === undefined && this.keepsOrder)
        this.firstPlaces.set(rule, this.place(rule, row, checkIndex));
      if (level === 'error') this.errors++;
      else this.warnings++;
      if (this.violations.length >= this.maxViolations) {
        this.truncated = true;
        return;
      }
      this.violations.push(violationOf(rule, level, row, line, column, value, message()));
      if (this.keepsOrder) this.places.push(this.place(rule, row, checkIndex));
    };
    const nullValues = spec.csv?.nullValues ?? [''];
    this.nullValues = new Set(nullValues);
    this.emptyIsOnlyNull = nullValues.length === 1 && nullValues[0] === '';
    if (spec.key && severityLevel(spec, 'key') !== 'off') this.keySet = new DigestSet();
    if (spec.rowSchema !== undefined && severityLevel(spec, 'row-schema') !== 'off') {
      try {
        this.rowSchema = compileRowSchema(spec.rowSchema);
      } catch (error) {
        throw patternError('dataset spec', '/rowSchema', error);
      }
    }
  }

  private level(rule: RuleKind): SeverityLevel {
    return severityLevel(this.spec, rule);
  }

  snapshot(): CheckerState {
    this.settleNumberKeys();
    const state: CheckerState = {
      rows: this.rows,
      errors: this.errors,
      warnings: this.warnings,
      truncated: this.truncated,
      summary: this.summary,
      violations: this.violations,
      columns: [...this.byName.values()].map((check) => check.snapshot()),
    };
    if (this.keySet !== undefined) state.key = this.keySet.toTable();
    return state;
  }

  /**
   * Repeats among number keys (see NumberKeys) are found after the last row,
   * yet must sit in the report where a one-pass check would have put them. So
   * while a column keeps number keys, each kept violation, and the first of
   * each rule (the summary lists rules in that order), gets a place: row ×
   * places per row + place in the row, in the order textRow checks.
   */
  private keepsOrder = false;
  private readonly places: number[] = [];
  private readonly firstPlaces = new Map<string, number>();
  private placesPerRow = 0;

  private place(rule: RuleKind, row: number | undefined, checkIndex: number | undefined): number {
    const perRow = this.placesPerRow;
    let inRow: number;
    if (row === undefined)
      inRow = perRow - 1; // header problems before row 1, end-of-file ones after the last row
    else if (rule === 'row-schema') inRow = perRow - 3;
    else if (rule === 'key') inRow = perRow - 2;
    else {
      inRow =
        checkIndex === undefined ? 0 : checkIndex * 3 + (rule === 'unique' ? 1 : rule === 'pii' ? 2 : 0);
    }
    return this.rows * perRow + inRow;
  }

  private keysSettled = false;

  /** Adds the repeats among number keys to the counts and the violations, each in its one-pass place. */
  private settleNumberKeys(): void {
    if (!this.keepsOrder || this.keysSettled) return;
    this.keysSettled = true;
    const found: { place: number; violation: Violation }[] = [];
    let repeats = 0;
    let firstPlace = this.firstPlaces.get('unique') ?? Infinity;
    this.checkedColumns.forEach((check, index) => {
      // At least one, so the summary can tell where the first repeat was.
      const settled = check.settleNumberKeys(Math.max(1, this.maxViolations));
      if (settled === undefined || settled.repeats === 0) return;
      repeats += settled.repeats;
      if (check.level.unique === 'error') this.errors += settled.repeats;
      else this.warnings += settled.repeats;
      for (const { row, line, key } of settled.first) {
        const place = row * this.placesPerRow + index * 3 + 1;
        found.push({ place, violation: check.repeatedKeyViolation(row, line, key) });
        if (place < firstPlace) firstPlace = place;
      }
    });
    if (repeats === 0) return;
    if (this.violations.length + repeats > this.maxViolations) this.truncated = true;
    const merged = this.violations.map((violation, i) => ({ place: this.places[i]!, violation }));
    merged.push(...found);
    merged.sort((a, b) => a.place - b.place);
    this.violations.length = 0;
    for (const { violation } of merged.slice(0, this.maxViolations)) this.violations.push(violation);
    this.summary.unique = (this.summary.unique ?? 0) + repeats;
    this.firstPlaces.set('unique', firstPlace);
    const rules = Object.keys(this.summary).sort(
      (a, b) => (this.firstPlaces.get(a) ?? 0) - (this.firstPlaces.get(b) ?? 0),
    );
    const counts = { ...this.summary };
    for (const rule of rules) delete this.summary[rule];
    for (const rule of rules) this.summary[rule] = counts[rule]!;
  }

  private readonly absorbedKeys: DigestSet[] = [];

  /**
   * Adds the results of the next part of the file, after `rowOffset` rows and
   * `lineOffset` lines; false when they cannot be merged exactly (see
   * ColumnCheck.absorb), and the file must then be read in one pass.
   */
  absorb(state: CheckerState, rowOffset: number, lineOffset: number): boolean {
    this.rows += state.rows;
    this.errors += state.errors;
    this.warnings += state.warnings;
    for (const [rule, count] of Object.entries(state.summary))
      this.summary[rule] = (this.summary[rule] ?? 0) + count;
    for (const violation of state.violations) {
      if (this.violations.length >= this.maxViolations) {
        this.truncated = true;
        break;
      }
      if (violation.row !== undefined) violation.row += rowOffset;
      if (violation.line !== undefined) violation.line += lineOffset;
      this.violations.push(violation);
    }
    if (state.truncated) this.truncated = true;
    const checks = [...this.byName.values()];
    for (let i = 0; i < checks.length; i++)
      if (!checks[i]!.absorb(state.columns[i]!, rowOffset)) return false;
    if (state.key !== undefined) {
      for (const earlier of this.absorbedKeys) if (earlier.sharesAnyWith(state.key)) return false;
      this.absorbedKeys.push(DigestSet.fromTable(state.key));
    }
    return true;
  }

  formatViolation(message: string, row?: number, line?: number): void {
    this.sink('format', this.level('format'), row, line, undefined, undefined, () => message);
  }

  private makeCheck(name: string): ColumnCheck | undefined {
    const columnSpec = this.spec.columns?.[name];
    const pii = this.spec.pii;
    const scan =
      pii !== undefined &&
      pii.scan !== false &&
      (pii.columns ? pii.columns.includes(name) : !NON_TEXT_TYPES.has(columnSpec?.type)) &&
      severityLevel(this.spec, 'pii', columnSpec) !== 'off';
    const isLabel = this.spec.label?.column === name;
    if (!columnSpec && !scan && !isLabel) return undefined;
    const check = new ColumnCheck(name, columnSpec ?? {}, this.spec, this.sink);
    check.scanPii = scan;
    check.piiKinds = pii?.kinds;
    if (isLabel && this.spec.label?.balance) check.countLabels();
    this.byName.set(name, check);
    return check;
  }

  /** CSV: the column names in file order. */
  setHeader(names: string[]): void {
    this.columnNames = names.map(detach);
    this.headerSize = names.length;
    const seen = new Set<string>();
    for (const name of this.columnNames) {
      if (seen.has(name)) this.formatViolation(`column "${name}" appears twice in the header`, undefined, 1);
      seen.add(name);
    }
    this.checks = this.columnNames.map((name) => this.makeCheck(name));
    this.checkedIndexes = [];
    this.checkedColumns = [];
    this.checks.forEach((check, index) => {
      if (check) {
        this.checkedIndexes.push(index);
        this.checkedColumns.push(check);
      }
    });
    const missing = Object.keys(this.spec.columns ?? {}).filter((name) => !seen.has(name));
    for (const name of [
      ...missing,
      ...(this.spec.key ?? []),
      ...(this.spec.label ? [this.spec.label.column] : []),
    ]) {
      if (seen.has(name)) continue;
      seen.add(name);
      this.sink(
        'column-missing',
        severityLevel(this.spec, 'column-missing', this.spec.columns?.[name]),
        undefined,
        undefined,
        name,
        undefined,
        () => `column "${name}" is missing from the data`,
      );
    }
    if (this.spec.additionalColumns === false) {
      for (const name of this.columnNames) {
        if (!this.spec.columns?.[name])
          this.sink(
            'column-unexpected',
            this.level('column-unexpected'),
            undefined,
            1,
            name,
            undefined,
            () => `column "${name}" is not listed in the spec (additionalColumns is false)`,
          );
      }
    }
    if (this.keySet) {
      const indexes = (this.spec.key ?? []).map((name) => this.columnNames.indexOf(name));
      this.keyIndexes = indexes.every((i) => i >= 0) ? indexes : undefined;
    }
    for (const check of this.checkedColumns) {
      if (
        this.options.numberKeys !== false &&
        check.unique !== undefined &&
        (check.type === 'integer' || check.type === 'number')
      ) {
        check.numberKeys = new NumberKeys();
        this.keepsOrder = true;
      }
    }
    for (const check of this.checkedColumns) {
      check.plainNumber =
        (check.type === 'integer' || check.type === 'number') &&
        check.numberCategories === undefined &&
        (check.unique === undefined || check.numberKeys !== undefined) &&
        check.labelCounts === undefined &&
        !check.scanPii;
    }
    if (this.keepsOrder) {
      this.checkedColumns.forEach((check, index) => (check.checkIndex = index));
      this.placesPerRow = this.checkedColumns.length * 3 + 3;
      // The header's own problems come before every row.
      for (let i = this.places.length; i < this.violations.length; i++) this.places.push(-1);
      for (const rule of Object.keys(this.summary))
        if (!this.firstPlaces.has(rule)) this.firstPlaces.set(rule, -1);
    }
  }

  private isNullRange(text: string, start: number, end: number): boolean {
    return this.emptyIsOnlyNull ? start === end : this.nullValues.has(text.slice(start, end));
  }

  /** CSV: one record, field `i` being `text.slice(starts[i], ends[i])`. */
  textRow(text: string, starts: Int32Array, ends: Int32Array, count: number, line: number): void {
    const row = ++this.rows;
    if (count !== this.headerSize) {
      this.formatViolation(`row has ${count} fields, the header has ${this.headerSize}`, row, line);
      return;
    }
    if (this.rowSchema) {
      this.textRowWithSchema(text, starts, ends, count, row, line);
    } else {
      const checks = this.checkedColumns;
      const indexes = this.checkedIndexes;
      for (let k = 0; k < checks.length; k++) {
        const index = indexes[k]!;
        const start = starts[index]!;
        const end = ends[index]!;
        const check = checks[k]!;
        const isNull = this.isNullRange(text, start, end);
        if (check.plainNumber && !isNull) check.checkPlainNumber(text, start, end, row, line);
        else check.checkField(text, start, end, isNull, row, line);
      }
    }
    if (this.keyIndexes) this.checkTextKey(text, starts, ends, row, line);
  }

  private textRowWithSchema(
    text: string,
    starts: Int32Array,
    ends: Int32Array,
    count: number,
    row: number,
    line: number,
  ): void {
    const typedRow: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const check = this.checks[i];
      const start = starts[i]!;
      const end = ends[i]!;
      const isNull = this.isNullRange(text, start, end);
      const typed =
        check !== undefined
          ? check.checkField(text, start, end, isNull, row, line)
          : isNull
            ? null
            : undefined;
      typedRow[this.columnNames[i]!] = typed === undefined ? text.slice(start, end) : typed;
    }
    this.checkRowSchema(typedRow, row, line);
  }

  private checkTextKey(text: string, starts: Int32Array, ends: Int32Array, row: number, line: number): void {
    const parts: string[] = [];
    for (const index of this.keyIndexes!) {
      if (this.isNullRange(text, starts[index]!, ends[index]!)) return;
      parts.push(text.slice(starts[index], ends[index]));
    }
    this.checkKey(parts, parts, row, line);
  }

  /** JSON / JSONL: one object. */
  objectRow(object: Record<string, unknown>, line: number | undefined): void {
    const row = ++this.rows;
    for (const name of Object.keys(object)) {
      if (!this.byName.has(name) && !this.seenUnexpected.has(name)) {
        this.seenUnexpected.add(name);
        this.columnNames.push(name);
        if (this.spec.additionalColumns === false) {
          this.sink(
            'column-unexpected',
            this.level('column-unexpected'),
            row,
            line,
            name,
            undefined,
            () => `field "${name}" is not listed in the spec (additionalColumns is false)`,
          );
        }
        const check = this.makeCheck(name);
        if (check) this.checks.push(check);
      }
    }
    for (const check of this.checks) check!.checkValue(object[check!.name], row, line);
    if (this.keySet && this.spec.key) {
      const parts = this.spec.key.map((name) => object[name]);
      if (!parts.some((part) => part === null || part === undefined)) {
        this.checkKey(
          parts.map((part) => (typeof part === 'string' ? `s${part}` : `v${JSON.stringify(part)}`)),
          parts,
          row,
          line,
        );
      }
    }
    if (this.rowSchema) this.checkRowSchema(object, row, line);
  }

  /** JSON: declared columns are checked even when the first rows lack them. */
  prepareObjectColumns(): void {
    for (const name of Object.keys(this.spec.columns ?? {})) {
      if (!this.byName.has(name)) {
        const check = this.makeCheck(name);
        if (check) this.checks.push(check);
        this.seenUnexpected.add(name);
        this.columnNames.push(name);
      }
    }
    const label = this.spec.label?.column;
    if (label !== undefined && !this.byName.has(label)) {
      const check = this.makeCheck(label);
      if (check) this.checks.push(check);
      this.seenUnexpected.add(label);
      this.columnNames.push(label);
    }
  }

  /** `parts` identify the key (null-free); `values` are what a report shows. */
  private checkKey(parts: string[], values: unknown[], row: number, line: number | undefined): void {
    const joined = parts.length === 1 ? parts[0]! : parts.join('\u001f');
    if (!this.keySet!.add(joined)) {
      const names = this.spec.key ?? [];
      const shown = Object.fromEntries(
        names.map((name, i) => [name, typeof values[i] === 'string' ? clip(values[i] as string) : values[i]]),
      );
      this.sink(
        'key',
        this.level('key'),
        row,
        line,
        names.join(','),
        shown,
        () =>
          `key (${(this.spec.key ?? []).join(', ')}) = ${JSON.stringify(shown)} repeats the key of an earlier row`,
      );
    }
  }

  private checkRowSchema(object: unknown, row: number, line: number | undefined): void {
    const validate = this.rowSchema!;
    if (validate(object)) return;
    const error = validate.errors?.[0];
    const path = error?.instancePath ?? '';
    const column = path.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
    const params = (error?.params ?? {}) as Record<string, unknown>;
    const where = column ? column : params.missingProperty ? String(params.missingProperty) : 'row';
    this.sink(
      'row-schema',
      this.level('row-schema'),
      row,
      line,
      column,
      column && object && typeof object === 'object'
        ? (object as Record<string, unknown>)[column]
        : undefined,
      () =>
        `${where} ${error?.message ?? 'does not match the row schema'} (rowSchema${error?.schemaPath.replace(/^#/, '') ?? ''})`,
    );
  }

  finish(file: string, format: DataFormat, bytes: number, startedAt: number): ValidationReport {
    this.settleNumberKeys();
    const rowsSpec = this.spec.rows;
    if (rowsSpec) {
      if (
        (rowsSpec.min !== undefined && this.rows < rowsSpec.min) ||
        (rowsSpec.max !== undefined && this.rows > rowsSpec.max)
      ) {
        this.sink(
          'rows',
          this.level('rows'),
          undefined,
          undefined,
          undefined,
          this.rows,
          () => `${this.rows} rows; allowed ${rowsSpec.min ?? 0}–${rowsSpec.max ?? '∞'}`,
        );
      }
    }
    let classes: Record<string, number> | undefined;
    const label = this.spec.label;
    const labelCheck = label ? this.byName.get(label.column) : undefined;
    if (label?.balance && labelCheck?.labelCounts) {
      const counts = labelCheck.labels();
      for (const category of labelCheck.spec.categories ?? [])
        if (!counts.has(String(category))) counts.set(String(category), 0);
      classes = Object.fromEntries(
        [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      );
      const labelled = [...counts.values()].reduce((a, b) => a + b, 0);
      const { minShare = 0, maxShare = 1 } = label.balance;
      if (counts.size >= MAX_CLASSES) {
        this.sink(
          'balance',
          labelCheck.level.balance,
          undefined,
          undefined,
          label.column,
          undefined,
          () =>
            `${label.column} has ${MAX_CLASSES} or more distinct values; class balance needs a categorical label`,
        );
      } else if (labelled > 0) {
        for (const [value, count] of Object.entries(classes)) {
          const share = count / labelled;
          if (share < minShare || share > maxShare) {
            this.sink(
              'balance',
              labelCheck.level.balance,
              undefined,
              undefined,
              label.column,
              value,
              () =>
                `class ${JSON.stringify(value)} is ${(share * 100).toFixed(1)}% of ${labelled} labelled rows (${count}); allowed ${(minShare * 100).toFixed(1)}%–${(maxShare * 100).toFixed(1)}%`,
            );
          }
        }
      }
    }
    const stats: Record<string, ColumnStats> = {};
    const pii: PiiFinding[] = [];
    for (const check of this.byName.values()) {
      if (this.spec.columns?.[check.name]) stats[check.name] = check.stats;
      pii.push(...check.pii.values());
    }
    return {
      ok: this.errors === 0,
      file,
      format,
      bytes,
      rows: this.rows,
      columns: this.columnNames,
      errors: this.errors,
      warnings: this.warnings,
      violations: this.violations,
      truncated: this.truncated,
      summary: this.summary,
      pii,
      stats,
      ...(classes ? { classes } : {}),
      durationMs: Date.now() - startedAt,
    };
  }
}
