import { cairnError, pathError } from '@cairn/errors';
import {
  CsvSyntaxError,
  CsvTokenizer,
  JsonArrayScanner,
  JsonLinesSplitter,
  JsonSyntaxError,
  readTextChunks,
  recordFields,
} from '@cairn/table';
import type { ColumnSpec, ColumnType, DatasetSpec } from './spec';
import { specLayout } from './validate';
import {
  detach,
  isIntegerText,
  parseBooleanText,
  parseDateText,
  parseDateTimeText,
  parseNumberText,
} from './values';

export interface InferOptions {
  /** Rows read (from the start of the file). Default 10,000. */
  sampleRows?: number;
  /** A string column with at most this many distinct values (each seen at least twice on average) gets `categories`. Default 20. */
  maxCategories?: number;
  /** Add the observed min/max of numeric columns. Default false (a sample's range is rarely the rule you want). */
  ranges?: boolean;
  /** Format and CSV options, as in the spec. */
  spec?: Pick<DatasetSpec, 'format' | 'csv'>;
}

/** Accumulates what one column's sample values allow. */
class ColumnProfile {
  integer = true;
  number = true;
  boolean = true;
  date = true;
  datetime = true;
  string = true;
  nulls = 0;
  values = 0;
  min = Infinity;
  max = -Infinity;
  distinct: Set<string> | undefined = new Set();

  constructor(private readonly maxCategories: number) {}

  private remember(text: string): void {
    if (this.distinct && !this.distinct.has(text)) {
      if (this.distinct.size >= this.maxCategories) this.distinct = undefined;
      else this.distinct.add(detach(text));
    }
  }

  private numeric(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  text(text: string, isNull: boolean): void {
    if (isNull) {
      this.nulls++;
      return;
    }
    this.values++;
    const number = parseNumberText(text);
    if (Number.isNaN(number)) {
      this.number = this.integer = false;
    } else {
      if (!isIntegerText(text)) this.integer = false;
      this.numeric(number);
    }
    if (this.boolean && parseBooleanText(text) === undefined) this.boolean = false;
    if (this.date && Number.isNaN(parseDateText(text))) this.date = false;
    if (this.datetime && Number.isNaN(parseDateTimeText(text))) this.datetime = false;
    this.remember(text);
  }

  value(value: unknown): void {
    if (value === null || value === undefined) {
      this.nulls++;
      return;
    }
    this.values++;
    const kind = typeof value;
    if (kind !== 'number') this.number = this.integer = false;
    else {
      if (!Number.isInteger(value)) this.integer = false;
      this.numeric(value as number);
    }
    if (kind !== 'boolean') this.boolean = false;
    if (kind !== 'string') this.string = this.date = this.datetime = false;
    else {
      if (this.date && Number.isNaN(parseDateText(value as string))) this.date = false;
      if (this.datetime && Number.isNaN(parseDateTimeText(value as string))) this.datetime = false;
      this.remember(value as string);
    }
  }

  spec(ranges: boolean): ColumnSpec {
    const spec: ColumnSpec = {};
    let type: ColumnType | undefined;
    if (this.values === 0) type = undefined;
    else if (this.integer) type = 'integer';
    else if (this.number) type = 'number';
    else if (this.boolean) type = 'boolean';
    else if (this.date) type = 'date';
    else if (this.datetime) type = 'datetime';
    else if (this.string) type = 'string';
    if (type) spec.type = type;
    spec.nullable = this.nulls > 0 || this.values === 0;
    if (ranges && (type === 'integer' || type === 'number')) {
      spec.min = this.min;
      spec.max = this.max;
    }
    if (
      type === 'string' &&
      this.distinct &&
      this.distinct.size > 0 &&
      this.values >= 2 * this.distinct.size
    ) {
      spec.categories = [...this.distinct].sort();
    }
    return spec;
  }
}

class SampleDone extends Error {}

/**
 * Proposes column specs from the first rows of a CSV, JSON or JSONL file:
 * type (integer ⊂ number, boolean, date, datetime, string), nullability and,
 * for low-cardinality strings, categories. Used by the dataset generator.
 */
export async function inferColumns(
  dataPath: string,
  options: InferOptions = {},
): Promise<Record<string, ColumnSpec>> {
  const sampleRows = options.sampleRows ?? 10_000;
  const maxCategories = options.maxCategories ?? 20;
  const { format, delimiter } = specLayout(dataPath, options.spec ?? {});
  const nullValues = new Set(options.spec?.csv?.nullValues ?? ['']);
  const profiles = new Map<string, ColumnProfile>();
  const profile = (name: string) => {
    let found = profiles.get(name);
    if (!found) {
      found = new ColumnProfile(maxCategories);
      found.nulls = rows; // a JSON key first seen in a later row was absent (null) before
      profiles.set(name, found);
    }
    return found;
  };
  let rows = 0;
  const onObject = (value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [name, cell] of Object.entries(value)) profile(name).value(cell);
    for (const [name, column] of profiles) if (!(name in value)) column.value(undefined);
    if (++rows >= sampleRows) throw new SampleDone();
  };
  try {
    if (format === 'csv') {
      let header: string[] | undefined = options.spec?.csv?.header === false ? [] : undefined;
      const tokenizer = new CsvTokenizer(
        (text, starts, ends, count) => {
          const fields = recordFields(text, starts, ends, count);
          if (!header) {
            header = fields.map(detach);
            for (const name of header) profile(name);
            return;
          }
          for (let i = 0; i < count; i++) {
            const name = header[i] ?? `column${i + 1}`;
            profile(name).text(fields[i]!, nullValues.has(fields[i]!));
          }
          if (++rows >= sampleRows) throw new SampleDone();
        },
        { delimiter },
      );
      await readTextChunks(dataPath, (text) => tokenizer.push(text));
      tokenizer.end();
    } else if (format === 'jsonl') {
      const splitter = new JsonLinesSplitter((text) => onObject(JSON.parse(text)));
      await readTextChunks(dataPath, (text) => splitter.push(text));
      splitter.end();
    } else {
      const scanner = new JsonArrayScanner((text) => onObject(JSON.parse(text)));
      await readTextChunks(dataPath, (text) => scanner.push(text));
      scanner.end();
    }
  } catch (error) {
    if (!(error instanceof SampleDone)) {
      if (
        error instanceof CsvSyntaxError ||
        error instanceof JsonSyntaxError ||
        error instanceof SyntaxError
      ) {
        throw cairnError('DATA_MALFORMED', `${dataPath}: ${error.message}`, { data: { file: dataPath } });
      }
      throw pathError(error, dataPath) ?? error;
    }
  }
  const columns: Record<string, ColumnSpec> = {};
  for (const [name, column] of profiles) columns[name] = column.spec(options.ranges ?? false);
  return columns;
}
