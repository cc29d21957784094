import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 1 << 20;

/** A byte range of a file: `start` inclusive, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a file (or the byte range `range` of it) as UTF-8 text in 1 MiB
 * pieces; `onText` may return a promise (backpressure) or throw to stop.
 * A range must start and end on character boundaries (after a `\n` does).
 */
export async function readTextChunks(
  file: string,
  onText: (text: string) => void | Promise<void>,
  onProgress?: (bytes: number) => void,
  range?: ByteRange,
): Promise<number> {
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const decoder = new StringDecoder('utf8');
  const end = range?.end ?? Infinity;
  let position = range?.start ?? 0;
  let total = 0;
  try {
    for (;;) {
      const wanted = Math.min(CHUNK_BYTES, end - position);
      if (wanted <= 0) break;
      const { bytesRead } = await handle.read(buffer, 0, wanted, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      total += bytesRead;
      const pending = onText(decoder.write(buffer.subarray(0, bytesRead)));
      if (pending) await pending;
      onProgress?.(total);
    }
    const tail = decoder.end();
    if (tail.length > 0) await onText(tail);
  } finally {
    await handle.close();
  }
  return total;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly row?: number,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Splits JSON Lines text into lines; blank lines are skipped but counted. */
export class JsonLinesSplitter {
  private rest = '';
  private line = 1;

  constructor(
    private readonly onLine: (text: string, line: number) => void,
    private readonly maxLineLength = 64 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    let pos = 0;
    for (;;) {
      const newline = text.indexOf('\n', pos);
      if (newline === -1) break;
      this.emit(text.slice(pos, newline));
      pos = newline + 1;
    }
    this.rest = text.slice(pos);
    if (this.rest.length > this.maxLineLength) {
      throw new JsonSyntaxError(
        `line ${this.line} is longer than ${this.maxLineLength} characters`,
        undefined,
        this.line,
      );
    }
  }

  end(): void {
    if (this.rest.length > 0) this.emit(this.rest);
    this.rest = '';
  }

  private emit(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim().length > 0) this.onLine(text, this.line);
    this.line++;
  }
}

const enum JsonState {
  BeforeArray,
  ExpectElement,
  InElement,
  AfterElement,
  Done,
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Streams the elements of a top-level JSON array of objects: each complete
 * element's text is handed to `onElement` (memory holds one element, not the file).
 */
export class JsonArrayScanner {
  private pending = '';
  private state = JsonState.BeforeArray;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private element = 0;
  /** Physical line being scanned (1-based), so errors and elements can name one. */
  private line = 1;
  private elementLine = 1;

  constructor(
    private readonly onElement: (text: string, row: number, line: number) => void,
    private readonly maxElementLength = 64 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    const text = this.pending + chunk;
    const start = this.scan(text, this.pending.length);
    this.pending = start < 0 ? '' : text.slice(start);
    if (this.pending.length > this.maxElementLength) {
      throw new JsonSyntaxError(
        `element ${this.element + 1} (line ${this.elementLine}) is longer than ${this.maxElementLength} characters`,
        this.element + 1,
        this.elementLine,
      );
    }
  }

  end(): void {
    if (this.state === JsonState.BeforeArray)
      throw new JsonSyntaxError('expected a JSON array of objects, found an empty file');
    if (this.state !== JsonState.Done) {
      throw new JsonSyntaxError(
        `unexpected end of file inside the top-level array (after ${this.element} elements)`,
        this.element + 1,
        this.line,
      );
    }
  }

  /** Returns where the unfinished element starts (to keep), or -1 when nothing needs keeping. */
  private scan(text: string, from: number): number {
    let elementStart = this.state === JsonState.InElement ? 0 : -1;
    for (let i = from; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 10) this.line++;
      switch (this.state) {
        case JsonState.BeforeArray:
          if (isSpace(code) || (i === 0 && code === 0xfeff)) continue;
          if (code !== 91)
            throw new JsonSyntaxError(
              'expected a JSON array of objects (the file must start with "[")',
              undefined,
              this.line,
            );
          this.state = JsonState.ExpectElement;
          continue;
        case JsonState.ExpectElement:
        case JsonState.AfterElement:
          if (isSpace(code)) continue;
          if (code === 93) {
            this.state = JsonState.Done;
            continue;
          }
          if (this.state === JsonState.AfterElement) {
            if (code !== 44)
              throw new JsonSyntaxError(
                `line ${this.line}: expected "," or "]" after element ${this.element}`,
                this.element,
                this.line,
              );
            this.state = JsonState.ExpectElement;
            continue;
          }
          if (code !== 123)
            throw new JsonSyntaxError(
              `line ${this.line}: element ${this.element + 1} is not an object`,
              this.element + 1,
              this.line,
            );
          this.state = JsonState.InElement;
          this.depth = 1;
          this.elementLine = this.line;
          elementStart = i;
          continue;
        case JsonState.InElement:
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (code === 92) this.escaped = true;
            else if (code === 34) this.inString = false;
            continue;
          }
          if (code === 34) this.inString = true;
          else if (code === 123 || code === 91) this.depth++;
          else if (code === 125 || code === 93) {
            if (--this.depth === 0) {
              this.element++;
              this.onElement(text.slice(elementStart, i + 1), this.element, this.elementLine);
              this.state = JsonState.AfterElement;
              elementStart = -1;
            }
          }
          continue;
        case JsonState.Done:
          if (!isSpace(code))
            throw new JsonSyntaxError(
              `line ${this.line}: unexpected text after the top-level array`,
              undefined,
              this.line,
            );
          continue;
      }
    }
    return elementStart;
  }
}
