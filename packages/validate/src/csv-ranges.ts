import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type ByteRange,
  CsvSyntaxError,
  CsvTokenizer,
  csvRanges,
  readFirstCsvRecord,
  readTextChunks,
  recordFields,
} from '@cairn/table';
import { type CheckerState, DatasetChecker, type ValidateOptions, type ValidationReport } from './checker';
import type { DatasetSpec } from './spec';

/**
 * CSV validation split across cores. The file is cut into byte ranges after
 * a `\n` (csvRanges); the first range is checked on the calling thread, the
 * others on worker threads, each with its own checker counting rows and lines
 * from 1. Cuts are speculative (a `\n` may sit inside a quoted field), so the
 * merge first checks that every range but the last ended on a record
 * boundary; then it adds the parts in file order, shifting rows and lines by
 * what came before. Whenever the parts cannot give exactly the one-pass report
 * (a cut inside quotes, a syntax error that stops reading, a unique value or
 * key repeated across parts, the label cap reached, a worker failure) the file
 * is read again in one pass: slower, never different.
 */

/** Below this many bytes per range a worker's start-up costs more than it saves. */
const MIN_RANGE_BYTES = 32 * 1024 * 1024;

interface CsvRangeTask {
  file: string;
  spec: DatasetSpec;
  maxViolations: number;
  delimiter: string;
  /** Whole file when absent. */
  range?: ByteRange;
  first: boolean;
  last: boolean;
  /** Column names to check against; undefined: the range starts with the file's header. */
  names?: string[];
  /** The file's line break, for a range starting mid-file. */
  lineBreak?: '\n' | '\r';
}

interface CsvRangeOutcome {
  state: CheckerState;
  /** Physical lines the range holds (when it ended on a record boundary). */
  lines: number;
  atBoundary: boolean;
  /** A syntax error stopped reading. */
  stopped: boolean;
}

async function checkCsvRange(
  task: CsvRangeTask,
  onProgress?: (bytes: number) => void,
): Promise<{ checker: DatasetChecker; bytes: number | undefined } & Omit<CsvRangeOutcome, 'state'>> {
  const checker = new DatasetChecker(task.spec, task.maxViolations);
  let awaitingHeader = task.names === undefined;
  if (task.names !== undefined) {
    checker.muted = !task.first;
    checker.setHeader(task.names);
    checker.muted = false;
  }
  const tokenizer = new CsvTokenizer(
    (text, starts, ends, count, line) => {
      if (awaitingHeader) {
        awaitingHeader = false;
        checker.setHeader(recordFields(text, starts, ends, count));
      } else {
        checker.textRow(text, starts, ends, count, line);
      }
    },
    { delimiter: task.delimiter, lineBreak: task.first ? undefined : task.lineBreak },
  );
  let bytes: number | undefined;
  let stopped = false;
  try {
    bytes = await readTextChunks(task.file, (text) => tokenizer.push(text), onProgress, task.range);
    if (task.last) {
      tokenizer.end();
      if (awaitingHeader) checker.formatViolation('the file is empty: no header row');
    }
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    checker.formatViolation(`${error.message}; reading stopped`, undefined, error.line);
    stopped = true;
  }
  return {
    checker,
    bytes,
    lines: tokenizer.currentLine - 1,
    atBoundary: tokenizer.atRecordBoundary,
    stopped,
  };
}

/** What a worker thread runs (by module path, from the compiled package). */
export async function csvRangeOutcome(
  task: CsvRangeTask,
  onProgress?: (bytes: number) => void,
): Promise<CsvRangeOutcome> {
  const { checker, lines, atBoundary, stopped } = await checkCsvRange(task, onProgress);
  return { state: checker.snapshot(), lines, atBoundary, stopped };
}

/** The digest tables and number keys travel by transfer, not copy. */
export function outcomeTransfers(outcome: CsvRangeOutcome): ArrayBuffer[] {
  const tables = [outcome.state.key, ...outcome.state.columns.map((column) => column.unique)];
  const keys = outcome.state.columns.map((column) => column.numberKeys);
  return [
    ...tables.flatMap((table) => (table ? [table.table.buffer as ArrayBuffer] : [])),
    ...keys.flatMap((sorted) => (sorted ? [sorted.buffer as ArrayBuffer] : [])),
  ];
}

// Plain JavaScript evaluated as a worker: it loads this module's compiled file.
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const ranges = require(workerData.modulePath);
const progress = workerData.progress ? (bytes) => parentPort.postMessage({ progress: bytes }) : undefined;
ranges.csvRangeOutcome(workerData.task, progress).then(
  (outcome) => parentPort.postMessage({ outcome }, ranges.outcomeTransfers(outcome)),
  (error) => parentPort.postMessage({ failed: String((error && error.message) || error) }),
);
`;

/** Worker threads need compiled JavaScript; from TypeScript sources (the specs) ranges run on the calling thread. */
function compiledModule(): string | undefined {
  return __filename.endsWith('.js') ? __filename : undefined;
}

function onThread(
  modulePath: string,
  task: CsvRangeTask,
  onProgress?: (bytes: number) => void,
): Promise<CsvRangeOutcome | undefined> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // A small young generation keeps the extra heap's share of peak RSS down (~20 MB at 1 GiB) at no measurable CPU cost.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
      workerData: { modulePath, task, progress: onProgress !== undefined },
    });
    let settled = false;
    const settle = (outcome: CsvRangeOutcome | undefined) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    worker.on('message', (message: { progress?: number; outcome?: CsvRangeOutcome }) => {
      if (message.progress !== undefined) onProgress?.(message.progress);
      else settle(message.outcome);
    });
    // A failed part is read again in the one-pass fallback, which reports the failure properly.
    worker.on('error', () => settle(undefined));
    worker.on('exit', () => settle(undefined));
  });
}

async function checkRanges(
  tasks: CsvRangeTask[],
  onProgress?: (bytes: number) => void,
): Promise<(CsvRangeOutcome | undefined)[]> {
  const done = tasks.map(() => 0);
  const progress =
    onProgress &&
    ((index: number) => (bytes: number) => {
      done[index] = bytes;
      onProgress(done.reduce((a, b) => a + b, 0));
    });
  const modulePath = compiledModule();
  if (modulePath !== undefined) {
    return Promise.all(
      tasks.map((task, i) =>
        i === 0 ? csvRangeOutcome(task, progress?.(i)) : onThread(modulePath, task, progress?.(i)),
      ),
    );
  }
  const outcomes: CsvRangeOutcome[] = [];
  for (const [i, task] of tasks.entries()) {
    const outcome = await csvRangeOutcome(task, progress?.(i));
    // Cloned as a worker's message would be, so the specs see what threads see.
    outcomes.push(i === 0 ? outcome : structuredClone(outcome));
  }
  return outcomes;
}

/** The report from `parts` ranges, or undefined when it cannot equal the one-pass report. */
export async function validateInRanges(
  file: string,
  size: number,
  spec: DatasetSpec,
  delimiter: string,
  {
    maxViolations,
    parts,
    onProgress,
  }: { maxViolations: number; parts: number; onProgress?: (bytes: number) => void },
  startedAt: number,
): Promise<ValidationReport | undefined> {
  const first = await readFirstCsvRecord(file, { delimiter, maxBytes: Math.ceil(size / parts) });
  // Old Mac files end lines with a lone CR: the cuts look for LF only.
  if (first === undefined || first.lineBreak !== '\n') return undefined;
  const header = spec.csv?.header !== false;
  const names = header ? first.fields : Object.keys(spec.columns ?? {});
  const ranges = await csvRanges(file, size, parts);
  if (ranges.length < 2) return undefined;
  const tasks = ranges.map((range, i): CsvRangeTask => ({
    file,
    spec,
    maxViolations,
    delimiter,
    range,
    first: i === 0,
    last: i === ranges.length - 1,
    names: i === 0 && header ? undefined : names,
    lineBreak: first.lineBreak,
  }));
  const outcomes = await checkRanges(tasks, onProgress);
  const merged = new DatasetChecker(spec, maxViolations);
  merged.muted = true;
  merged.setHeader(names);
  merged.muted = false;
  let rows = 0;
  let lines = 0;
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome === undefined || outcome.stopped) return undefined;
    if (i < outcomes.length - 1 && !outcome.atBoundary) return undefined;
    if (!merged.absorb(outcome.state, rows, lines)) return undefined;
    rows += outcome.state.rows;
    lines += outcome.lines;
  }
  return merged.finish(file, 'csv', size, startedAt);
}

export function defaultRangeCount(size: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(size / MIN_RANGE_BYTES)));
}

/** Validates a CSV file, in parallel ranges when it is large enough (see above). */
export async function validateCsv(
  file: string,
  size: number,
  spec: DatasetSpec,
  delimiter: string,
  options: ValidateOptions,
  startedAt: number,
): Promise<ValidationReport> {
  const maxViolations = options.maxViolations ?? 1000;
  const parts = Math.max(1, Math.floor(options.ranges ?? defaultRangeCount(size)));
  if (parts > 1) {
    const report = await validateInRanges(
      file,
      size,
      spec,
      delimiter,
      { maxViolations, parts, onProgress: options.onProgress },
      startedAt,
    );
    if (report !== undefined) return report;
  }
  const { checker, bytes } = await checkCsvRange(
    {
      file,
      spec,
      maxViolations,
      delimiter,
      first: true,
      last: true,
      names: spec.csv?.header === false ? Object.keys(spec.columns ?? {}) : undefined,
    },
    options.onProgress,
  );
  return checker.finish(file, 'csv', bytes ?? size, startedAt);
}
