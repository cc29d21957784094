import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '@cairn/table';
import type { Prediction, Row } from './manifest';

/** Columns a log line adds to the request's own (feature) columns. */
export const LOG_COLUMNS = {
  requestId: 'cairn_request_id',
  row: 'cairn_row',
  time: 'cairn_time',
  version: 'cairn_version',
  alias: 'cairn_alias',
  prediction: 'cairn_prediction',
} as const;

export const CURRENT_LOG = 'requests.jsonl';
const ROTATED = /^requests-(\d{8})\.jsonl$/;

export interface PredictionLogOptions {
  /** Folder of the log files (created). */
  dir: string;
  /** Share of requests logged, 0..1 (default 1); chosen by request id, so a request is logged whole or not at all. */
  sampleRate?: number;
  /** A file is rotated once it would grow past this many bytes (default 8 MiB). */
  maxFileBytes?: number;
  /** Rotated files kept besides the current one; older ones are deleted (default 4). */
  maxFiles?: number;
  /** Masks personal data in a row before it is written (the dataset spec's PII declarations). */
  mask?: (row: Row) => Row;
  /** Clock of the `cairn_time` column (tests). */
  now?: () => Date;
}

export interface LoggedRequest {
  requestId: string;
  version: string;
  alias?: string;
  rows: Row[];
  predictions: Prediction[];
}

/** Whether a request id falls in the sampled share: a hash, so the choice is stable and needs no random state. */
export function sampled(requestId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return createHash('sha256').update(requestId).digest().readUInt32BE(0) / 2 ** 32 < rate;
}

/**
 * Requests and their predictions as JSON Lines (one line per row, the row's
 * own columns plus `cairn_*` columns), a format @cairn/table reads, so a
 * window of logged traffic is data the drift target can take. Sampled,
 * masked, size-bounded and rotated; writes are batched per event-loop turn
 * and synchronous, so a rotated file is always complete.
 */
export class PredictionLog {
  private readonly dir: string;
  private readonly rate: number;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private pending: string[] = [];
  private scheduled = false;
  private currentBytes: number;
  private sequence: number;

  constructor(private readonly options: PredictionLogOptions) {
    this.dir = options.dir;
    this.rate = options.sampleRate ?? 1;
    this.maxFileBytes = options.maxFileBytes ?? 8 * 1024 * 1024;
    this.maxFiles = options.maxFiles ?? 4;
    mkdirSync(this.dir, { recursive: true });
    this.currentBytes = statSync(join(this.dir, CURRENT_LOG), { throwIfNoEntry: false })?.size ?? 0;
    this.sequence = Math.max(0, ...rotatedFiles(this.dir).map((f) => f.sequence));
  }

  /** Queues the request's lines when it is sampled; returns whether it was. */
  record(request: LoggedRequest): boolean {
    if (!sampled(request.requestId, this.rate)) return false;
    const time = (this.options.now?.() ?? new Date()).toISOString();
    request.rows.forEach((row, index) => {
      const line = `${JSON.stringify({
        ...(this.options.mask ? this.options.mask(row) : row),
        [LOG_COLUMNS.requestId]: request.requestId,
        [LOG_COLUMNS.row]: index,
        [LOG_COLUMNS.time]: time,
        [LOG_COLUMNS.version]: request.version,
        [LOG_COLUMNS.alias]: request.alias ?? null,
        [LOG_COLUMNS.prediction]: request.predictions[index]?.label ?? null,
      })}\n`;
      this.pending.push(line);
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** Writes what is queued (also called on close). */
  flush(): void {
    this.scheduled = false;
    let batch: string[] = [];
    let batchBytes = 0;
    const write = () => {
      if (batch.length === 0) return;
      appendFileSync(join(this.dir, CURRENT_LOG), batch.join(''));
      this.currentBytes += batchBytes;
      batch = [];
      batchBytes = 0;
    };
    for (const line of this.pending) {
      const bytes = Buffer.byteLength(line);
      if (this.currentBytes + batchBytes + bytes > this.maxFileBytes && this.currentBytes + batchBytes > 0) {
        write();
        this.rotate();
      }
      batch.push(line);
      batchBytes += bytes;
    }
    write();
    this.pending = [];
  }

  private rotate(): void {
    this.sequence += 1;
    renameSync(
      join(this.dir, CURRENT_LOG),
      join(this.dir, `requests-${String(this.sequence).padStart(8, '0')}.jsonl`),
    );
    this.currentBytes = 0;
    const rotated = rotatedFiles(this.dir);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.maxFiles))) unlinkSync(old.path);
  }
}

function rotatedFiles(dir: string): Array<{ path: string; sequence: number }> {
  return readdirSync(dir)
    .map((name) => ({ name, match: ROTATED.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ path: join(dir, name), sequence: Number(match[1]) }))
    .sort((a, b) => a.sequence - b.sequence);
}

/**
 * The most recent `rows` logged rows (all when absent), oldest first, read
 * with @cairn/table from the rotated files and the current one; optionally
 * only those one version served.
 */
export function readLoggedWindow(dir: string, options: { rows?: number; version?: string } = {}): Row[] {
  const files = [...rotatedFiles(dir).map((f) => f.path)];
  if (statSync(join(dir, CURRENT_LOG), { throwIfNoEntry: false })) files.push(join(dir, CURRENT_LOG));
  const limit = options.rows ?? Number.POSITIVE_INFINITY;
  const window: Row[][] = [];
  let count = 0;
  for (const file of files.reverse()) {
    if (count >= limit) break;
    let rows = readTable(file, { format: 'jsonl' }).rows as Row[];
    if (options.version !== undefined)
      rows = rows.filter((row) => row[LOG_COLUMNS.version] === options.version);
    const take = rows.slice(Math.max(0, rows.length - (limit - count)));
    window.unshift(take);
    count += take.length;
  }
  return window.flat();
}
