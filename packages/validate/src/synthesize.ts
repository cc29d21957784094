import RandExp from 'randexp';
import { cairnError, type CairnError } from '@cairn/errors';
import { mulberry32, shuffleInPlace } from '@cairn/evaluation';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { csvRecords } from '@cairn/table';
import { compileWholeMatch } from './linear-regexp';
import { compileRowSchema, pointerToken } from './parse-spec';
import { scanPii } from './pii';
import type { ColumnSpec, DataFormat, DatasetSpec, PiiKind } from './spec';
import { specLayout } from './validate';

export type SyntheticValue = string | number | boolean | null;
export type SyntheticRow = Record<string, SyntheticValue>;

export interface SynthesizeOptions {
  /** Rows to make. Default 100, moved into the spec's `rows` range. */
  rows?: number;
  /** Same spec, rows and seed → same table, on every platform. Default 1. */
  seed?: number;
  /**
   * Put the data model code will meet at the edges first: every declared
   * boundary (min, max, minLength, maxLength), empty strings and nulls where
   * the spec allows them, every category, and the label's rarest allowed class.
   */
  edgeCases?: boolean;
  /** The format the table will be written in: CSV cannot hold an empty string apart from null. Default csv. */
  format?: DataFormat;
}

export interface SyntheticTable {
  columns: string[];
  rows: SyntheticRow[];
  seed: number;
}

const DAY_MS = 86_400_000;
/** Draws per value (or row) before a constraint counts as unsatisfiable. */
const ATTEMPTS = 200;
const DEFAULT_ROWS = 100;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DEFAULT_SPAN = { number: [0, 100], date: ['2020-01-01', '2025-12-31'] } as const;

function unsatisfiable(pointer: string, problem: string, hint?: string): CairnError {
  return cairnError('SYNTH_UNSATISFIABLE', `dataset spec: ${pointer} ${problem}`, {
    data: { pointer },
    hint: hint ?? 'relax the spec or ask for fewer rows (--rows)',
  });
}

/** Numbers are written with at most this many decimals, so CSV and JSON carry the same value. */
function roundNumber(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** A standard normal draw (Box–Muller; one of the pair is discarded to keep the stream simple). */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function integerBetween(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function weightedPick<T>(random: () => number, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let target = random() * total;
  for (let i = 0; i < items.length; i++) {
    target -= weights[i]!;
    if (target < 0 && weights[i]! > 0) return items[i]!;
  }
  return items[weights.findLastIndex((weight) => weight > 0)]!;
}

function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** One column's value source: random draws, plus the boundary values edge-case mode puts first. */
class ColumnSynth {
  readonly pointer: string;
  private readonly type: NonNullable<ColumnSpec['type']>;
  private readonly nullable: boolean;
  private readonly categories: SyntheticValue[] | undefined;
  private readonly categoryWeights: number[] | undefined;
  private readonly pattern: RandExp | undefined;
  private readonly patternCheck: { test(text: string): boolean } | undefined;
  private readonly lo: number;
  private readonly hi: number;
  private readonly minLength: number;
  private readonly maxLength: number;
  private readonly seen: Set<string> | undefined;

  constructor(
    readonly name: string,
    private readonly spec: ColumnSpec,
    private readonly random: () => number,
    private readonly context: {
      csv: boolean;
      nullTexts: Set<string>;
      piiKinds: readonly PiiKind[] | undefined;
      scanPii: boolean;
      rows: number;
    },
  ) {
    this.pointer = `/columns/${pointerToken(name)}`;
    this.type = spec.type ?? 'string';
    // CSV writes a null as the first null text: with none declared there is no way to write one.
    this.nullable = spec.nullable !== false && (!context.csv || context.nullTexts.size > 0);
    if (spec.categories) {
      this.categories = spec.categories.map((category) => this.typed(category));
      const weights = spec.distribution?.kind === 'categorical' ? spec.distribution.weights : undefined;
      this.categoryWeights = spec.categories.map((category) =>
        weights ? (weights[String(category)] ?? 0) : 1,
      );
    }
    const temporal = this.type === 'date' || this.type === 'datetime';
    const bound = (value: number | string | undefined) =>
      typeof value === 'number' ? value : value === undefined ? undefined : Date.parse(value);
    let lo = bound(spec.min);
    let hi = bound(spec.max);
    const [spanLo, spanHi] = temporal
      ? DEFAULT_SPAN.date.map((date) => Date.parse(date))
      : DEFAULT_SPAN.number;
    // A unique column with an open range gets room for ten values per row, so distinct draws stay easy.
    const span = Math.max(spanHi! - spanLo!, spec.unique ? context.rows * 10 * (temporal ? DAY_MS : 1) : 0);
    lo ??= hi === undefined ? spanLo! : Math.min(spanLo!, hi - span);
    hi ??= Math.max(lo + span, spanHi!);
    if (this.type === 'integer') [lo, hi] = [Math.ceil(lo), Math.floor(hi)];
    if (this.type === 'date') [lo, hi] = [Math.ceil(lo / DAY_MS), Math.floor(hi / DAY_MS)];
    if (this.type === 'datetime') [lo, hi] = [Math.ceil(lo / 1000), Math.floor(hi / 1000)];
    if (lo > hi && !this.categories)
      throw unsatisfiable(this.pointer, `has no ${this.type} value between min and max`);
    this.lo = lo;
    this.hi = hi;
    // CSV reads an empty field as null, so a non-null string needs a character.
    const shortest = context.csv && !this.nullable ? 1 : 0;
    this.minLength = Math.max(spec.minLength ?? 0, shortest);
    this.maxLength = spec.maxLength ?? Math.max(this.minLength, 12);
    if (spec.pattern !== undefined && !this.categories && this.type === 'string') {
      try {
        this.pattern = new RandExp(new RegExp(spec.pattern, 'u'));
      } catch (error) {
        throw unsatisfiable(
          `${this.pointer}/pattern`,
          `cannot be turned into a generator (${(error as Error).message})`,
          'write the pattern in the common subset of RE2 and JavaScript syntax',
        );
      }
      this.pattern.randInt = (from, to) => integerBetween(random, from, to);
      this.pattern.max = Math.max(this.maxLength, 8);
      this.patternCheck = compileWholeMatch(spec.pattern);
    }
    if (spec.unique) this.seen = new Set();
  }

  /** A declared category as the column's type holds it. */
  private typed(value: string | number | boolean): SyntheticValue {
    if (this.type === 'number' || this.type === 'integer') return Number(value);
    if (this.type === 'boolean') return value === true || value === 'true';
    return String(value);
  }

  get allowsNull(): boolean {
    return this.nullable;
  }

  /** Distinct category values, for a label column. */
  get classValues(): SyntheticValue[] | undefined {
    return this.categories;
  }

  /** The values edge-case mode puts in the first rows, each once. */
  edgeValues(): SyntheticValue[] {
    const values: SyntheticValue[] = [];
    if (this.categories) values.push(...this.categories);
    else {
      switch (this.type) {
        case 'number':
        case 'integer': {
          if (typeof this.spec.min === 'number') values.push(this.lo);
          if (typeof this.spec.max === 'number') values.push(this.hi);
          if (this.lo < 0 && this.hi > 0) values.push(0);
          break;
        }
        case 'date':
          if (this.spec.min !== undefined) values.push(this.fromUnit(this.lo));
          if (this.spec.max !== undefined) values.push(this.fromUnit(this.hi));
          break;
        case 'datetime':
          if (this.spec.min !== undefined) values.push(this.fromUnit(this.lo));
          if (this.spec.max !== undefined) values.push(this.fromUnit(this.hi));
          break;
        case 'boolean':
          values.push(true, false);
          break;
        default:
          if (!this.pattern) {
            const empty = this.minLength === 0 && !this.context.csv;
            if (empty) values.push('');
            if (this.spec.minLength !== undefined && this.minLength > 0)
              values.push(this.letters(this.minLength));
            if (this.spec.maxLength !== undefined) values.push(this.letters(this.maxLength));
          }
      }
    }
    if (this.nullable) values.push(null);
    // Claimed up front, so no random draw of a unique column repeats an edge value.
    return values.filter((value) => value === null || (this.acceptable(value) && this.claim(value)));
  }

  private fromUnit(unit: number): string {
    return this.type === 'date'
      ? new Date(unit * DAY_MS).toISOString().slice(0, 10)
      : isoDateTime(unit * 1000);
  }

  private letters(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += LETTERS[Math.floor(this.random() * LETTERS.length)];
    return text;
  }

  private drawOnce(): SyntheticValue {
    if (this.categories) return weightedPick(this.random, this.categories, this.categoryWeights!);
    const distribution = this.spec.distribution;
    switch (this.type) {
      case 'number':
      case 'integer': {
        let value: number;
        if (distribution?.kind === 'normal') {
          // Truncated normal by rejection; the spec check keeps the mean within min–max, so at least
          // a fair share of draws land inside and the loop ends quickly.
          do value = distribution.mean + distribution.sd * normal(this.random);
          while (value < this.lo || value > this.hi);
        } else value = this.lo + this.random() * (this.hi - this.lo);
        value = this.type === 'integer' ? Math.round(value) : roundNumber(value);
        return Math.min(this.hi, Math.max(this.lo, value));
      }
      case 'date':
      case 'datetime':
        return this.fromUnit(integerBetween(this.random, this.lo, this.hi));
      case 'boolean':
        return this.random() < 0.5;
      default:
        if (this.pattern) return this.pattern.gen();
        return this.letters(integerBetween(this.random, this.minLength, this.maxLength));
    }
  }

  /** What validation would accept besides type and range, which `drawOnce` respects by construction. */
  private acceptable(value: SyntheticValue): boolean {
    if (typeof value !== 'string') return true;
    if (this.context.csv && this.context.nullTexts.has(value)) return false;
    if (this.type === 'string' && !this.categories) {
      if (value.length < this.minLength || value.length > this.maxLength) return false;
      if (this.patternCheck && !this.patternCheck.test(value)) return false;
    }
    if (this.context.scanPii && scanPii(value, this.context.piiKinds).length > 0) return false;
    return true;
  }

  /** A value not seen before when the column is unique; throws once `ATTEMPTS` draws all failed. */
  draw(): SyntheticValue {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const value = this.drawOnce();
      if (!this.acceptable(value)) continue;
      if (this.seen && !this.claim(value)) continue;
      return value;
    }
    throw unsatisfiable(
      this.pointer,
      this.seen
        ? `needs more distinct values than its type, range, length and pattern allow (${this.seen.size} found)`
        : `allows no value that passes its own rules (length, pattern, null texts, personal data)`,
    );
  }

  /** Records a unique column's value; false when it was taken. */
  claim(value: SyntheticValue): boolean {
    if (!this.seen || value === null) return true;
    const key = typeof value === 'string' ? `s${value}` : `v${String(value)}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

/**
 * How many rows each class gets: shares follow the label's categorical
 * weights (else equal), then move into [minShare, maxShare] of the rows.
 * Edge-case mode gives the first class the smallest count allowed (a rare class).
 */
function classCounts(
  spec: DatasetSpec,
  classes: number,
  weights: readonly number[],
  rows: number,
  rare: boolean,
): number[] {
  const { minShare = 0, maxShare = 1 } = spec.label?.balance ?? {};
  let low = Math.ceil(minShare * rows);
  while (low / rows < minShare) low++;
  let high = Math.floor(maxShare * rows);
  while (high > 0 && high / rows > maxShare) high--;
  if (low * classes > rows || high * classes < rows)
    throw unsatisfiable(
      '/label/balance',
      `cannot share ${rows} rows among ${classes} classes with each between ${minShare} and ${maxShare}`,
    );
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((weight) => Math.floor((weight / total) * rows));
  // The rarest class the balance allows, given that the others cannot hold more than `high` each.
  if (rare) counts[0] = Math.max(low, 1, rows - high * (classes - 1));
  const fixed = rare ? 1 : 0;
  for (let i = 0; i < counts.length; i++) counts[i] = Math.min(high, Math.max(low, counts[i]!));
  // Hand out (or take back) the remainder one row at a time, to the class with the most room.
  let missing = rows - counts.reduce((a, b) => a + b, 0);
  while (missing !== 0) {
    let best = -1;
    for (let i = fixed; i < counts.length; i++) {
      const room = missing > 0 ? high - counts[i]! : counts[i]! - low;
      if (room > 0 && (best < 0 || room > (missing > 0 ? high - counts[best]! : counts[best]! - low)))
        best = i;
    }
    if (best < 0) throw unsatisfiable('/label/balance', `cannot place ${rows} rows within the class shares`);
    counts[best] = counts[best]! + (missing > 0 ? 1 : -1);
    missing += missing > 0 ? -1 : 1;
  }
  return counts;
}

function rowCount(spec: DatasetSpec, requested: number | undefined): number {
  const { min = 0, max = Infinity } = spec.rows ?? {};
  if (requested === undefined) return Math.min(max, Math.max(min, DEFAULT_ROWS));
  if (!Number.isInteger(requested) || requested < 0 || requested < min || requested > max) {
    throw cairnError('OPTION_INVALID', `rows: ${requested} is outside what the spec allows`, {
      data: { option: 'rows', value: requested },
      hint: `the spec's rows range is ${min}–${max === Infinity ? '∞' : max}`,
    });
  }
  return requested;
}

/**
 * A table that satisfies `spec` (the same rules `validateDataset` checks):
 * column types, ranges, lengths, patterns, categories, nullability, unique
 * columns and keys, the label's class balance, PII-free text, and the row
 * schema (by drawing a row again until the schema accepts it). Only declared
 * columns are made; a label column the spec does not declare is a text column.
 * Throws `SYNTH_UNSATISFIABLE` naming the spec field it cannot meet.
 */
export function synthesizeTable(spec: DatasetSpec, options: SynthesizeOptions = {}): SyntheticTable {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed))
    throw cairnError('OPTION_INVALID', `seed: ${seed} is not an integer`, {
      data: { option: 'seed', value: seed },
    });
  const random = mulberry32(seed);
  const rows = rowCount(spec, options.rows);
  const csv = (options.format ?? 'csv') === 'csv';
  const declared = { ...spec.columns };
  const labelName = spec.label?.column;
  if (labelName !== undefined && !declared[labelName]) declared[labelName] = { nullable: false };
  const columns = Object.keys(declared);
  if (columns.length === 0)
    throw unsatisfiable('/columns', 'declares no columns: there is nothing to make', 'list the columns');
  const piiColumns =
    spec.pii && spec.pii.scan !== false
      ? new Set(
          spec.pii.columns ??
            columns.filter((name) => {
              const type = declared[name]!.type;
              return type === undefined || type === 'string';
            }),
        )
      : new Set<string>();
  const nullTexts = new Set(spec.csv?.nullValues ?? ['']);
  const synths = columns.map(
    (name) =>
      new ColumnSynth(name, declared[name]!, random, {
        csv,
        nullTexts,
        piiKinds: spec.pii?.kinds,
        scanPii: piiColumns.has(name),
        rows,
      }),
  );

  const labels = labelName
    ? labelColumn(spec, synths, labelName, rows, options.edgeCases ?? false, random)
    : [];
  const edges = new Map(
    synths.map((synth) => [
      synth.name,
      options.edgeCases && synth.name !== labelName ? synth.edgeValues() : [],
    ]),
  );
  const rowSchema = spec.rowSchema === undefined ? undefined : compileRowSchema(spec.rowSchema);
  const keyColumns = spec.key ?? [];
  const keys = new Set<string>();
  const table: SyntheticRow[] = [];
  for (let index = 0; index < rows; index++) {
    let row: SyntheticRow | undefined;
    // Edge values go first, once each; one the row schema or key rejects is dropped, the rest redrawn.
    const dropped = new Set<string>();
    for (let attempt = 0; attempt < ATTEMPTS && row === undefined; attempt++) {
      const candidate: SyntheticRow = {};
      for (const synth of synths) {
        const edge = edges.get(synth.name)!;
        candidate[synth.name] =
          synth.name === labelName
            ? labels[index]!
            : index < edge.length && !dropped.has(synth.name)
              ? edge[index]!
              : synth.draw();
      }
      if (rowSchema && !rowSchema(candidate)) {
        const column = /^\/([^/]+)/.exec(rowSchema.errors?.[0]?.instancePath ?? '')?.[1];
        if (column !== undefined) dropped.add(column.replace(/~1/g, '/').replace(/~0/g, '~'));
        continue;
      }
      if (keyColumns.length > 0 && keyColumns.every((name) => candidate[name] !== null)) {
        const key = JSON.stringify(keyColumns.map((name) => candidate[name]));
        if (keys.has(key)) {
          for (const name of keyColumns) dropped.add(name);
          continue;
        }
        keys.add(key);
      }
      row = candidate;
    }
    if (row === undefined)
      throw unsatisfiable(
        rowSchema ? '/rowSchema' : '/key',
        `rejected ${ATTEMPTS} rows in a row at row ${index + 1}`,
        'relax the row schema or key, or ask for fewer rows (--rows)',
      );
    table.push(row);
  }
  return { columns, rows: table, seed };
}

/** The label of every row, classes shuffled in the planned counts. */
function labelColumn(
  spec: DatasetSpec,
  synths: ColumnSynth[],
  labelName: string,
  rows: number,
  rare: boolean,
  random: () => number,
): SyntheticValue[] {
  const synth = synths.find((candidate) => candidate.name === labelName)!;
  const column = spec.columns?.[labelName];
  let classes = synth.classValues;
  let weights: number[];
  if (classes) {
    const declared = column?.distribution?.kind === 'categorical' ? column.distribution.weights : undefined;
    weights = (column?.categories ?? []).map((category) =>
      declared ? (declared[String(category)] ?? 0) : 1,
    );
  } else {
    // No categories: as many distinct drawn classes as the balance allows, preferring three.
    const { minShare = 0, maxShare = 1 } = spec.label?.balance ?? {};
    const fewest = Math.max(1, Math.ceil(1 / maxShare - 1e-9));
    const most = minShare > 0 ? Math.floor(1 / minShare + 1e-9) : Infinity;
    const count = Math.min(Math.max(3, fewest), most, Math.max(1, rows));
    classes = [];
    const seen = new Set<string>();
    for (let attempt = 0; classes.length < count && attempt < ATTEMPTS * count; attempt++) {
      const value = synth.draw();
      if (value !== null && !seen.has(JSON.stringify(value))) {
        seen.add(JSON.stringify(value));
        classes.push(value);
      }
    }
    if (classes.length < count)
      throw unsatisfiable(synth.pointer, `allows fewer than the ${count} label classes the balance needs`);
    weights = classes.map(() => 1);
  }
  if (rows === 0) return [];
  const counts = classCounts(spec, classes.length, weights, rows, rare);
  const labels: SyntheticValue[] = [];
  counts.forEach((count, i) => {
    for (let k = 0; k < count; k++) labels.push(classes[i]!);
  });
  return shuffleInPlace(labels, random);
}

/** `table` in `format`: CSV with the spec's delimiter, header choice and null text; JSON typed. */
export function serializeSyntheticTable(
  table: SyntheticTable,
  spec: DatasetSpec,
  format: DataFormat,
): string {
  if (format === 'json') return `${JSON.stringify(table.rows, null, 1)}\n`;
  if (format === 'jsonl') return table.rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  const nullText = (spec.csv?.nullValues ?? [''])[0] ?? '';
  const records = table.rows.map((row) =>
    table.columns.map((name) => {
      const value = row[name];
      return value === null || value === undefined ? nullText : String(value);
    }),
  );
  if (spec.csv?.header !== false) records.unshift(table.columns);
  return csvRecords(records, spec.csv?.delimiter ?? ',');
}

/**
 * Writes a synthetic dataset for `spec` to `file`, in the format the spec
 * declares or the extension says. The same spec, options and seed write the
 * same bytes.
 */
export async function writeSyntheticDataset(
  spec: DatasetSpec,
  file: string,
  options: Omit<SynthesizeOptions, 'format'> = {},
): Promise<{ file: string; format: DataFormat; rows: number; columns: string[]; seed: number }> {
  const { format, delimiter } = specLayout(file, spec);
  const table = synthesizeTable(spec, { ...options, format });
  const text = serializeSyntheticTable(table, { ...spec, csv: { ...spec.csv, delimiter } }, format);
  await writeFileAtomic(file, text);
  return { file, format, rows: table.rows.length, columns: table.columns, seed: table.seed };
}
