import { open } from 'node:fs/promises';
import { CsvSyntaxError, CsvTokenizer, recordFields } from './csv-tokenizer';
import { type ByteRange, readTextChunks } from './text-stream';

const LF = 10;
const WINDOW_BYTES = 64 * 1024;

/**
 * Cuts a CSV file of `size` bytes into at most `parts` byte ranges for
 * parallel reading, each cut just after a `\n` near an equal share.
 *
 * A cut is speculative: from a random offset the quote state cannot be known
 * (a `\n` inside a quoted field is no record boundary). Whoever reads range
 * k must check that the reader of range k − 1, started at a true boundary,
 * ended on one (`CsvTokenizer.atRecordBoundary`); by induction from the
 * file's start every range then started on a record. When the check fails the
 * ranges must be thrown away and the file read in one piece.
 */
export async function csvRanges(file: string, size: number, parts: number): Promise<ByteRange[]> {
  const cuts: number[] = [0];
  const handle = await open(file, 'r');
  try {
    const window = Buffer.allocUnsafe(WINDOW_BYTES);
    for (let part = 1; part < parts; part++) {
      let at = Math.max(Math.floor((size * part) / parts), cuts[cuts.length - 1]!);
      let cut = size;
      while (at < size) {
        const { bytesRead } = await handle.read(window, 0, WINDOW_BYTES, at);
        if (bytesRead === 0) break;
        const newline = window.subarray(0, bytesRead).indexOf(LF);
        if (newline !== -1) {
          cut = at + newline + 1;
          break;
        }
        at += bytesRead;
      }
      if (cut >= size) break;
      if (cut > cuts[cuts.length - 1]!) cuts.push(cut);
    }
  } finally {
    await handle.close();
  }
  return cuts.map((start, i) => ({ start, end: cuts[i + 1] ?? size }));
}

/** The file's first record and line break, read from its start; undefined when the first `maxBytes` hold no complete record or the CSV is malformed there. */
export async function readFirstCsvRecord(
  file: string,
  options: { delimiter?: string; maxBytes: number },
): Promise<{ fields: string[]; lineBreak: '\n' | '\r' } | undefined> {
  let found: { fields: string[]; lineBreak: '\n' | '\r' } | undefined;
  const stop = {};
  const tokenizer = new CsvTokenizer(
    (text, starts, ends, count) => {
      found = { fields: recordFields(text, starts, ends, count), lineBreak: tokenizer.lineBreak! };
      throw stop;
    },
    { delimiter: options.delimiter },
  );
  try {
    await readTextChunks(file, (text) => tokenizer.push(text), undefined, {
      start: 0,
      end: options.maxBytes,
    });
  } catch (error) {
    if (error !== stop && !(error instanceof CsvSyntaxError)) throw error;
  }
  return found;
}
