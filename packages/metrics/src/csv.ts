import { readFileSync } from 'node:fs';
import { MetricsErrorCode, metricsError } from './errors';
import type { MetricsInput, Task } from './report';

/** A CSV parsed into string columns keyed by header name. */
export interface CsvColumns {
  header: string[];
  columns: Map<string, string[]>;
  rows: number;
  /**
   * Line of the file where each data row starts, as an editor numbers them:
   * 1-based, the header is line 1, blank lines and every line of a quoted
   * multi-line field count.
   */
  lines: number[];
}

/** Splits one line that contains quotes (RFC 4180: "" inside quotes is a quote). */
function splitQuoted(
  text: string,
  start: number,
  end: number,
  file: string,
  line: number,
): { fields: string[]; end: number } {
  const fields: string[] = [];
  let i = start;
  let field = '';
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0)
          throw metricsError(MetricsErrorCode.CsvInvalid, `${file}:${line}: unterminated quoted field`, {
            file,
            line,
          });
        field += text.slice(i, q);
        if (text.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // a quoted field may span lines: find the real end of the record
      if (i > end) end = nextLineEnd(text, i);
    }
    const comma = text.indexOf(',', i);
    if (comma >= 0 && comma < end) {
      field += text.slice(i, comma);
      fields.push(field);
      field = '';
      i = comma + 1;
    } else {
      field += text.slice(i, end);
      fields.push(field);
      return { fields, end };
    }
  }
}

function newlinesBetween(text: string, from: number, to: number): number {
  let count = 0;
  for (let nl = text.indexOf('\n', from); nl >= 0 && nl < to; nl = text.indexOf('\n', nl + 1)) count++;
  return count;
}

function nextLineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/**
 * A small, fast CSV reader for prediction files: header row, comma separator,
 * optional RFC 4180 quoting, LF or CRLF line ends. Every value stays a string.
 */
export function parseCsv(text: string, file = 'input'): CsvColumns {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stripCr = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);
  let headerEnd = nextLineEnd(text, pos);
  const headerSplit = splitQuoted(text, pos, headerEnd, file, 1);
  headerEnd = headerSplit.end;
  // Physical line where the next record starts (a quoted header field may span lines too).
  let nextLine = 2 + newlinesBetween(text, pos, headerEnd);
  const lines: number[] = [];
  const header = headerSplit.fields.map((h) => stripCr(h).trim());
  if (header.length === 0 || header.every((h) => h === ''))
    throw metricsError(MetricsErrorCode.CsvInvalid, `${file}: empty header`, { file });
  const cols: string[][] = header.map(() => []);
  const width = header.length;
  pos = headerEnd + 1;
  let nextQuote = text.indexOf('"', pos);
  while (pos < text.length) {
    const lineNo = nextLine++;
    let end = nextLineEnd(text, pos);
    // the next quote is searched again only once we are past it (no quadratic rescans)
    if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
    if (nextQuote < 0 || nextQuote > end) {
      // fast path: no quotes on this line, slice fields straight into their columns
      let lineEnd = end;
      if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      if (lineEnd === pos) {
        pos = end + 1;
        continue;
      }
      let start = pos;
      let c = 0;
      for (; c < width - 1; c++) {
        const comma = text.indexOf(',', start);
        if (comma < 0 || comma >= lineEnd) break;
        cols[c]!.push(text.slice(start, comma));
        start = comma + 1;
      }
      const extra = text.indexOf(',', start);
      if (c !== width - 1 || (extra >= 0 && extra < lineEnd)) {
        const fields = text.slice(pos, lineEnd).split(',').length;
        throw metricsError(
          MetricsErrorCode.CsvInvalid,
          `${file}:${lineNo}: ${fields} fields, the header has ${width}`,
          { file, line: lineNo },
        );
      }
      cols[c]!.push(text.slice(start, lineEnd));
      lines.push(lineNo);
      pos = end + 1;
      continue;
    }
    const r = splitQuoted(text, pos, end, file, lineNo);
    const fields = r.fields;
    if (r.end > end) nextLine += newlinesBetween(text, end, r.end);
    end = r.end;
    pos = end + 1;
    const last = fields.length - 1;
    fields[last] = stripCr(fields[last]!);
    if (fields.length !== width) {
      throw metricsError(
        MetricsErrorCode.CsvInvalid,
        `${file}:${lineNo}: ${fields.length} fields, the header has ${width}`,
        { file, line: lineNo },
      );
    }
    for (let k = 0; k < width; k++) cols[k]!.push(fields[k]!);
    lines.push(lineNo);
  }
  const columns = new Map<string, string[]>();
  header.forEach((h, i) => columns.set(h, cols[i]!));
  return { header, columns, rows: cols[0]!.length, lines };
}

export function readCsvFile(file: string): CsvColumns {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw metricsError(MetricsErrorCode.CsvInvalid, `${file}: cannot read (${(error as Error).message})`, {
      file,
    });
  }
  return parseCsv(text, file);
}

function parseNumber(s: string): number {
  const v = Number(s);
  // Number('') and Number('  ') are 0: an empty cell is not a number
  return v === 0 && s.trim() === '' ? NaN : v;
}

/** All values as numbers, or undefined as soon as one is not a finite number. */
function numericOrUndefined(values: string[]): Float64Array | undefined {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = parseNumber(values[i]!);
    if (!Number.isFinite(v)) return undefined;
    out[i] = v;
  }
  return out;
}

function numberColumn(values: string[], name: string, file: string, lines: number[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = parseNumber(values[i]!);
    if (!Number.isFinite(v)) {
      throw metricsError(
        MetricsErrorCode.CsvInvalid,
        `${file}:${lines[i]}: column ${name} is ${JSON.stringify(values[i])}, not a finite number`,
        {
          file,
          line: lines[i],
          column: name,
        },
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Turns the columns of the `cairn metrics` CSV contract into metric input:
 * `y_true`, `y_pred`, optional `score` and `proba_<label>` columns. Labels are
 * numbers when every y_true and y_pred value is numeric, strings otherwise.
 */
export function metricsInputFromCsv(
  csv: CsvColumns,
  options: { task?: Task; posLabel?: string; file?: string } = {},
): MetricsInput {
  const file = options.file ?? 'input';
  const yTrueRaw = csv.columns.get('y_true');
  const yPredRaw = csv.columns.get('y_pred');
  if (!yTrueRaw || !yPredRaw) {
    throw metricsError(
      MetricsErrorCode.CsvInvalid,
      `${file}: missing column ${!yTrueRaw ? 'y_true' : 'y_pred'}; found ${JSON.stringify(csv.header)}`,
      { file, header: csv.header },
      'the CSV needs columns y_true, y_pred and optionally score or proba_<label>',
    );
  }
  if (csv.rows === 0) throw metricsError(MetricsErrorCode.Empty, `${file}: no data rows`, { file });
  if (options.task === 'regression') {
    // Checked here, where each value's line is known, rather than by sample index in computeMetrics.
    numberColumn(yTrueRaw, 'y_true', file, csv.lines);
    numberColumn(yPredRaw, 'y_pred', file, csv.lines);
  }
  const yTrueNumbers = numericOrUndefined(yTrueRaw);
  const yPredNumbers = yTrueNumbers && numericOrUndefined(yPredRaw);
  const numeric = yPredNumbers !== undefined;
  const input: MetricsInput = numeric
    ? { yTrue: yTrueNumbers!, yPred: yPredNumbers }
    : { yTrue: yTrueRaw, yPred: yPredRaw };
  if (options.task) input.task = options.task;
  const score = csv.columns.get('score');
  if (score) input.score = numberColumn(score, 'score', file, csv.lines);
  const probaNames = csv.header.filter((h) => h.startsWith('proba_'));
  if (probaNames.length > 0) {
    const labels = probaNames.map((h) => h.slice('proba_'.length));
    const numericProba = numeric && labels.every((l) => Number.isFinite(parseNumber(l)));
    input.proba = {
      labels: numericProba ? labels.map(parseNumber) : labels,
      columns: probaNames.map((h) => numberColumn(csv.columns.get(h)!, h, file, csv.lines)),
    };
  }
  if (options.posLabel !== undefined) {
    const asNumber = parseNumber(options.posLabel);
    input.posLabel = numeric && Number.isFinite(asNumber) ? asNumber : options.posLabel;
  }
  return input;
}
