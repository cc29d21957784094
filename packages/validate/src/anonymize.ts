import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cairnError, readFailure } from '@cairn/errors';
import { createAtomicWriteStream } from '@cairn/fs-atomic';
import {
  CsvSyntaxError,
  CsvTokenizer,
  JsonArrayScanner,
  JsonLinesSplitter,
  JsonSyntaxError,
  csvRecords,
  readTextChunks,
  recordFields,
} from '@cairn/table';
import { canonicalPii, maskPii, scanPii } from './pii';
import type { DataFormat, PiiKind } from './spec';
import { specLayout } from './validate';

export interface AnonymizeOptions {
  /** HMAC key (at least 16 bytes). The same key gives the same tokens across files and runs. */
  key: string | Buffer;
  /** `pseudonymize`: keyed, consistent tokens such as `email_3f9a…`; `mask`: partly hidden values (`j***@example.com`). */
  mode: 'pseudonymize' | 'mask';
  /** Only these columns are scanned (default: all). */
  columns?: string[];
  /** Columns whose whole value is replaced (names, user ids: data no detector recognises). */
  wholeColumns?: string[];
  /** PII kinds to replace (default: all). */
  kinds?: PiiKind[];
  /** Default: from the input's extension. */
  format?: DataFormat;
  delimiter?: string;
}

export interface AnonymizeResult {
  rows: number;
  /** PII kind (or `value` for whole-column replacements) → values replaced. */
  replaced: Record<string, number>;
  /** Column → values replaced. */
  byColumn: Record<string, number>;
}

const MIN_KEY_BYTES = 16;
const TOKEN_HEX = 16;

/** Quotes a CSV field when it must be (delimiter, quote, CR or LF inside, or leading/trailing space kept as is). */
class Replacer {
  readonly replaced: Record<string, number> = {};
  readonly byColumn: Record<string, number> = {};
  private readonly key: Buffer;
  private readonly cache = new Map<string, string>();

  constructor(private readonly options: AnonymizeOptions) {
    this.key = typeof options.key === 'string' ? Buffer.from(options.key, 'utf8') : options.key;
  }

  token(kind: string, canonical: string): string {
    const id = `${kind}\u0000${canonical}`;
    let token = this.cache.get(id);
    if (token === undefined) {
      token = `${kind}_${createHmac('sha256', this.key).update(id).digest('hex').slice(0, TOKEN_HEX)}`;
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(id, token);
    }
    return token;
  }

  private count(kind: string, column: string): void {
    this.replaced[kind] = (this.replaced[kind] ?? 0) + 1;
    this.byColumn[column] = (this.byColumn[column] ?? 0) + 1;
  }

  /** The replacement text for one cell of `column`. */
  text(value: string, column: string): string {
    if (this.options.wholeColumns?.includes(column)) {
      if (value.length === 0) return value;
      this.count('value', column);
      return this.options.mode === 'mask'
        ? '*'.repeat(Math.min(value.length, 8))
        : this.token('value', value);
    }
    if (this.options.columns && !this.options.columns.includes(column)) return value;
    const matches = scanPii(value, this.options.kinds);
    if (matches.length === 0) return value;
    let out = '';
    let at = 0;
    for (const match of matches) {
      out += value.slice(at, match.start);
      out +=
        this.options.mode === 'mask'
          ? maskPii(match.kind, match.text)
          : this.token(match.kind, canonicalPii(match.kind, match.text));
      at = match.end;
      this.count(match.kind, column);
    }
    return out + value.slice(at);
  }

  /** Strings anywhere inside a JSON value are scanned; whole columns are replaced at the top level. */
  json(value: unknown, column: string): unknown {
    if (typeof value === 'string') return this.text(value, column);
    if (value === null || typeof value !== 'object') {
      if (value !== null && value !== undefined && this.options.wholeColumns?.includes(column))
        return this.text(JSON.stringify(value), column);
      return value;
    }
    if (Array.isArray(value)) return value.map((item) => this.json(item, column));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.json(v, column)]));
  }

  row(object: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(object)) out[column] = this.json(value, column);
    return out;
  }
}

/**
 * Masks (or pseudonymizes) one row at a time as `anonymizeDataset` does a
 * file: for rows that must never reach a file unmasked (request logs).
 * `mask` mode needs no key.
 */
export function createRowAnonymizer(
  options: Omit<AnonymizeOptions, 'format' | 'delimiter' | 'key'> & { key?: AnonymizeOptions['key'] },
): (row: Record<string, unknown>) => Record<string, unknown> {
  if (options.mode === 'pseudonymize') checkKey(options.key ?? '');
  const replacer = new Replacer({ ...options, key: options.key ?? '' });
  return (row) => replacer.row(row);
}

function checkKey(key: string | Buffer): void {
  const keyBytes = typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length;
  if (keyBytes < MIN_KEY_BYTES) {
    throw cairnError(
      'ANONYMIZE_KEY_WEAK',
      `the anonymization key has ${keyBytes} bytes; at least ${MIN_KEY_BYTES} are needed`,
      {
        data: { bytes: keyBytes },
        hint: 'generate one with `openssl rand -hex 32` and keep it secret (the same key gives the same tokens)',
      },
    );
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

/**
 * Writes a copy of `input` with personal data replaced by keyed pseudonyms
 * (same value + same key → same token) or masks. Never in place: refuses an
 * output that is the input, and writes atomically (temp file + rename).
 */
export async function anonymizeDataset(
  input: string,
  output: string,
  options: AnonymizeOptions,
): Promise<AnonymizeResult> {
  checkKey(options.key);
  const info = await stat(input).catch((error: unknown) => {
    throw readFailure(error, input);
  });
  if (!info.isFile()) {
    throw cairnError('PATH_UNREADABLE', `${input}: not a file`, { data: { path: input } });
  }
  if (await sameFile(input, output)) {
    throw cairnError(
      'ANONYMIZE_IN_PLACE',
      `${output}: the output is the input; anonymize writes a new file, never in place`,
      {
        data: { input, output },
        hint: 'write to a new path, then `cairn add` it as the next version of the dataset',
      },
    );
  }
  const { format, delimiter: detected } = specLayout(input, options.format ? { format: options.format } : {});
  const delimiter = options.delimiter ?? detected;
  const replacer = new Replacer(options);
  const target = await createAtomicWriteStream(output);
  const write = async (text: string) => {
    if (text.length > 0 && !target.stream.write(text)) await once(target.stream, 'drain');
  };
  let rows = 0;
  try {
    let pending: string[] = [];
    // CSV records are written in batches: one csv-stringify call per chunk read.
    let records: string[][] = [];
    const drain = () => {
      const out = pending.join('') + (records.length > 0 ? csvRecords(records, delimiter) : '');
      pending = [];
      records = [];
      return out;
    };
    /** Reads the input through a streaming reader, writing what each chunk produced. */
    const pump = (reader: { push(text: string): void; end(): void }) =>
      readTextChunks(input, async (text) => {
        reader.push(text);
        await write(drain());
      }).then(() => reader.end());
    if (format === 'csv') {
      let header: string[] | undefined;
      const tokenizer = new CsvTokenizer(
        (text, starts, ends, count) => {
          const cells = recordFields(text, starts, ends, count);
          if (!header) {
            header = cells;
          } else {
            rows++;
            for (let i = 0; i < cells.length; i++)
              cells[i] = replacer.text(cells[i]!, header[i] ?? String(i));
          }
          records.push(cells);
        },
        { delimiter },
      );
      await pump(tokenizer);
    } else if (format === 'jsonl') {
      const splitter = new JsonLinesSplitter((text, line) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          throw new JsonSyntaxError(
            `line ${line} is not valid JSON: ${(error as Error).message}`,
            rows + 1,
            line,
          );
        }
        rows++;
        const out =
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? replacer.row(value as Record<string, unknown>)
            : replacer.json(value, '');
        pending.push(`${JSON.stringify(out)}\n`);
      });
      await pump(splitter);
    } else {
      const scanner = new JsonArrayScanner((text, row) => {
        rows = row;
        pending.push(
          `${row === 1 ? '[\n' : ',\n'}${JSON.stringify(replacer.row(JSON.parse(text) as Record<string, unknown>))}`,
        );
      });
      await pump(scanner);
      pending.push(rows === 0 ? '[]\n' : '\n]\n');
    }
    await write(drain());
    await target.commit();
  } catch (error) {
    await target.abort();
    if (error instanceof CsvSyntaxError || error instanceof JsonSyntaxError || error instanceof SyntaxError) {
      throw cairnError('DATA_MALFORMED', `${input}: ${error.message}`, {
        data: { file: input },
        hint: 'run `cairn validate` on it first',
      });
    }
    throw error;
  }
  return { rows, replaced: replacer.replaced, byColumn: replacer.byColumn };
}
