import { InternalError } from '@cairn/errors';

/**
 * The one CSV tokenizer of Cairn: streaming RFC 4180, tuned for throughput.
 *
 * Why not csv-parse: `node tools/bench/validate.mjs` measures csv-parse 6
 * (no rules at all) an order of magnitude slower than this tokenizer (the
 * figures are in ../README.md and docs/benchmarks/validate.md). Most records
 * in real files contain no quote character, so the fast path finds the line
 * end and the delimiters with native `indexOf` and slices fields out of the
 * chunk; only a record that holds a quote takes the character-by-character
 * path. Python's csv module is its oracle in the specs.
 *
 * Accepted input: `,` (or another single-character delimiter), `"` quoting
 * with `""` escapes, fields spanning lines inside quotes, a UTF-8 BOM. Line
 * ends: the first line break of the file outside quotes decides: LF (a CR before an LF is
 * dropped, so CRLF and mixed LF/CRLF files read alike) or, when it is a lone
 * CR, CR (old Mac exports). Blank lines are skipped but counted. Stray quotes
 * inside an unquoted field are kept literally (as Python's csv module does).
 */

/**
 * Called once per record. Field `i` is `text.slice(starts[i], ends[i])`: the
 * tokenizer allocates no string per field, so a checker that only needs to
 * parse a number or compare a category never allocates either. The arrays are
 * reused between calls: copy what you keep.
 */
export type CsvRecordHandler = (
  text: string,
  starts: Int32Array,
  ends: Int32Array,
  count: number,
  line: number,
) => void;

/** The fields of a record as strings. */
export function recordFields(text: string, starts: Int32Array, ends: Int32Array, count: number): string[] {
  const fields: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) fields[i] = text.slice(starts[i], ends[i]);
  return fields;
}

export interface CsvTokenizerOptions {
  delimiter?: string;
  /** A record (or a line without a line end) longer than this is an error, so memory stays bounded. */
  maxRecordLength?: number;
  /**
   * For text that starts mid-file (see csvRangeStarts): the file's line break,
   * read from its start by `readFirstCsvRecord`. A BOM is then not dropped,
   * since only the file's first character can be one.
   */
  lineBreak?: '\n' | '\r';
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const DEFAULT_MAX_RECORD = 64 * 1024 * 1024;

function countNewlines(text: string, newline: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf(newline, from);
  while (at !== -1 && at < to) {
    count++;
    at = text.indexOf(newline, at + 1);
  }
  return count;
}

/**
 * The line break the file uses, from its first one outside quotes (the header's
 * end, in practice); undefined when the text cannot tell yet.
 */
function firstLineBreak(text: string, final: boolean): '\n' | '\r' | undefined {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (code === LF) return '\n';
    else if (code === CR) {
      if (i + 1 === text.length && !final) return undefined;
      return text.charCodeAt(i + 1) === LF ? '\n' : '\r';
    }
  }
  return final ? '\n' : undefined;
}

export class CsvTokenizer {
  private rest = '';
  private line = 1;
  private started = false;
  /** '\n' (LF and CRLF files) or '\r' (CR files), decided by the first line break. */
  private newline: '\n' | '\r' | undefined;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  /** Unquoted field values of the record on the slow path. */
  private readonly quotedFields: string[] = [];
  private readonly delimiter: string;
  private readonly delimiterCode: number;
  private readonly maxRecordLength: number;

  constructor(
    private readonly onRecord: CsvRecordHandler,
    options: CsvTokenizerOptions = {},
  ) {
    this.delimiter = options.delimiter ?? ',';
    // Delimiters come from the format table in format.ts, never from input.
    if (this.delimiter.length !== 1)
      throw new InternalError('INTERNAL_INVARIANT', 'the CSV delimiter must be one character', {
        data: { delimiter: this.delimiter },
      });
    this.delimiterCode = this.delimiter.charCodeAt(0);
    this.maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD;
    if (options.lineBreak !== undefined) {
      this.newline = options.lineBreak;
      this.started = true;
    }
  }

  /** Feeds decoded text; complete records are emitted, an incomplete tail is kept. */
  push(chunk: string): void {
    let from = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) from = 1;
    }
    if (this.newline === undefined) {
      const pending = this.rest + chunk.slice(from);
      this.newline = firstLineBreak(pending, false);
      if (this.newline === undefined) {
        this.rest = pending;
        this.checkRestLength();
        return;
      }
      this.rest = '';
      chunk = pending;
      from = 0;
    }
    let text = chunk;
    if (this.rest.length > 0) {
      // Finish the carried-over record on a small string, then scan the decoder's flat
      // chunk itself: characters of a concatenated (cons) string are slower to read.
      const newline = chunk.indexOf(this.newline);
      if (newline === -1) {
        text = this.rest + chunk;
        from = 0;
      } else {
        const head = this.rest + chunk.slice(0, newline + 1);
        const used = this.consume(head, false, 0);
        if (used === head.length) {
          from = newline + 1;
        } else {
          // A quoted field runs past the newline: go on from where the head stopped.
          text = head + chunk.slice(newline + 1);
          from = used;
        }
      }
      this.rest = '';
    }
    const consumed = this.consume(text, false, from);
    this.rest = consumed < text.length ? text.slice(consumed) : '';
    this.checkRestLength();
  }

  private checkRestLength(): void {
    if (this.rest.length > this.maxRecordLength) {
      throw new CsvSyntaxError(
        `a record starting at line ${this.line} is longer than ${this.maxRecordLength} characters (unterminated quote or no line ends?)`,
        this.line,
      );
    }
  }

  /** Flushes the last record (a file need not end with a newline). */
  end(): void {
    this.newline ??= firstLineBreak(this.rest, true);
    if (this.rest.length > 0) this.consume(this.rest, true, 0);
    this.rest = '';
  }

  /** The line the next record starts on. */
  get currentLine(): number {
    return this.line;
  }

  /** The file's line break, once the text read so far tells it. */
  get lineBreak(): '\n' | '\r' | undefined {
    return this.newline;
  }

  /** True when every record pushed so far is complete: the text read ends outside quotes, after a line break. */
  get atRecordBoundary(): boolean {
    return this.rest.length === 0 && this.newline !== undefined;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  private consume(text: string, final: boolean, from: number): number {
    const delimiter = this.delimiter;
    const lineBreak = this.newline!;
    const dropCr = lineBreak === '\n';
    const length = text.length;
    let pos = from;
    let quoteAt = text.indexOf('"', from);
    if (quoteAt === -1) quoteAt = length;
    while (pos < length) {
      let newline = text.indexOf(lineBreak, pos);
      if (newline === -1) {
        if (!final) return pos;
        newline = length;
      }
      if (quoteAt < pos) {
        quoteAt = text.indexOf('"', pos);
        if (quoteAt === -1) quoteAt = length;
      }
      if (quoteAt < newline) {
        const end = this.consumeQuoted(text, pos, final);
        if (end === -1) return pos;
        pos = end;
        continue;
      }
      let lineEnd = newline;
      if (dropCr && lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
      if (lineEnd === pos) {
        // blank line
        this.line++;
        pos = newline + 1;
        continue;
      }
      let count = 0;
      let start = pos;
      let starts = this.starts;
      let ends = this.ends;
      for (;;) {
        if (count === starts.length) {
          this.grow();
          starts = this.starts;
          ends = this.ends;
        }
        const cut = text.indexOf(delimiter, start);
        starts[count] = start;
        if (cut === -1 || cut >= lineEnd) {
          ends[count++] = lineEnd;
          break;
        }
        ends[count++] = cut;
        start = cut + 1;
      }
      this.onRecord(text, starts, ends, count, this.line);
      this.line++;
      pos = newline + 1;
    }
    return pos;
  }

  /** The slow path for a record holding a quote. Returns the index after it, or -1 when more text is needed. */
  private consumeQuoted(text: string, from: number, final: boolean): number {
    const fields = this.quotedFields;
    const delimiterCode = this.delimiterCode;
    const length = text.length;
    let count = 0;
    let at = from;
    let newlines = 0;
    for (;;) {
      let value: string;
      if (at < length && text.charCodeAt(at) === QUOTE) {
        value = '';
        let scan = at + 1;
        for (;;) {
          const close = text.indexOf('"', scan);
          if (close === -1) {
            if (!final) return -1;
            throw new CsvSyntaxError(
              `unterminated quoted field starting at line ${this.line + newlines}`,
              this.line,
            );
          }
          newlines += countNewlines(text, this.newline!, scan, close);
          value += text.slice(scan, close);
          if (close + 1 >= length && !final) return -1;
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            scan = close + 2;
            continue;
          }
          at = close + 1;
          break;
        }
        // Characters between a closing quote and the next delimiter are kept, as Python does.
        const stray = at;
        while (at < length) {
          const code = text.charCodeAt(at);
          if (code === delimiterCode || code === LF || code === CR) break;
          at++;
        }
        if (at > stray) value += text.slice(stray, at);
      } else {
        const start = at;
        while (at < length) {
          const code = text.charCodeAt(at);
          if (code === delimiterCode || code === LF || code === CR) break;
          at++;
        }
        value = text.slice(start, at);
      }
      fields[count++] = value;
      if (at >= length) {
        if (!final) return -1;
        this.emitQuoted(count);
        this.line += newlines + 1;
        return length;
      }
      const code = text.charCodeAt(at);
      if (code === delimiterCode) {
        at++;
        continue;
      }
      if (code === CR) {
        if (at + 1 >= length && !final) return -1;
        at += text.charCodeAt(at + 1) === LF ? 2 : 1;
      } else {
        at++;
      }
      this.emitQuoted(count);
      this.line += newlines + 1;
      return at;
    }
  }

  /** The slow path hands its unquoted values over as one joined text with offsets, like the fast path. */
  private emitQuoted(count: number): void {
    while (count > this.starts.length) this.grow();
    const fields = this.quotedFields;
    let at = 0;
    for (let i = 0; i < count; i++) {
      this.starts[i] = at;
      at += fields[i]!.length;
      this.ends[i] = at;
    }
    this.onRecord(
      count === 1 ? fields[0]! : fields.slice(0, count).join(''),
      this.starts,
      this.ends,
      count,
      this.line,
    );
  }
}
