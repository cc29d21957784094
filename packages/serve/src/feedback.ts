import { cairnError } from '@cairn/errors';
import type { Prediction } from './manifest';
import { previewValue } from './errors';

/** The lane a prediction came from, as far as feedback is concerned. */
export interface FeedbackTarget {
  observeFeedback(correct: boolean): void;
}

interface Remembered {
  target: FeedbackTarget;
  labels: string[];
  /** Rows already labelled: a label counts once. */
  done: boolean[];
}

export interface FeedbackItem {
  requestId: string;
  /** Row of the request (default 0). */
  row: number;
  label: string;
}

export interface FeedbackResult {
  accepted: number;
  /** Rows labelled before: ignored. */
  duplicates: number;
}

/** Longest request id accepted from a client (`x-request-id`, feedback). */
export const MAX_REQUEST_ID_CHARS = 128;
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function validRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

/**
 * Remembers the predictions of the last `capacity` requests by request id, so
 * a label that arrives later (POST /feedback) can be scored against what the
 * version that answered predicted. Older requests are forgotten first.
 */
export class FeedbackStore {
  /** Request id → the answers given to it: the champion's, and a shadow's when one was mirrored. */
  private readonly entries = new Map<string, Remembered[]>();

  constructor(readonly capacity = 100_000) {}

  remember(requestId: string, target: FeedbackTarget, predictions: Prediction[]): void {
    const answer: Remembered = {
      target,
      labels: predictions.map((p) => String(p.label)),
      done: predictions.map(() => false),
    };
    const known = this.entries.get(requestId);
    if (known) {
      known.push(answer);
      return;
    }
    this.entries.set(requestId, [answer]);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Scores each item; an unknown request id or row fails the whole call before any is counted. */
  apply(items: FeedbackItem[]): FeedbackResult {
    const resolved = items.map((item, index) => {
      const answers = this.entries.get(item.requestId);
      if (!answers)
        throw cairnError(
          'SERVE_FEEDBACK_UNKNOWN',
          `feedback ${index}: no recent prediction has request id ${previewValue(item.requestId)}`,
          {
            data: { pointer: `/${index}/request_id` },
            hint: `use the x-request-id header of the /predict response; only the last ${this.capacity} requests are remembered`,
          },
        );
      const rows = answers[0]!.labels.length;
      if (item.row >= rows)
        throw cairnError(
          'SERVE_FEEDBACK_UNKNOWN',
          `feedback ${index}: request ${previewValue(item.requestId)} has ${rows} row(s), not row ${item.row}`,
          { data: { pointer: `/${index}/row` } },
        );
      return { item, answers };
    });
    const result: FeedbackResult = { accepted: 0, duplicates: 0 };
    for (const { item, answers } of resolved) {
      if (answers[0]!.done[item.row]) {
        result.duplicates += 1;
        continue;
      }
      for (const answer of answers) {
        answer.done[item.row] = true;
        answer.target.observeFeedback(answer.labels[item.row] === item.label);
      }
      result.accepted += 1;
    }
    return result;
  }
}

/**
 * Reads a /feedback body: `{"request_id", "label", "row"?}`, or an array of
 * them (at most `maxItems`). Labels are compared as strings, as predictions
 * are counted.
 */
export function parseFeedback(body: unknown, maxItems = 10_000): FeedbackItem[] {
  const list = Array.isArray(body) ? body : [body];
  const invalid = (pointer: string, problem: string) =>
    cairnError('SERVE_FEEDBACK_INVALID', `feedback ${pointer}: ${problem}`, {
      data: { pointer },
      hint: 'send {"request_id": "<x-request-id of the prediction>", "label": <true label>, "row": <row, default 0>} or an array of them',
    });
  if (list.length === 0 || list.length > maxItems)
    throw invalid('/', `must hold 1 to ${maxItems} items, got ${list.length}`);
  return list.map((value, index) => {
    const at = Array.isArray(body) ? `/${index}` : '';
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalid(at || '/', `must be an object, got ${previewValue(value)}`);
    const { request_id: requestId, label, row = 0 } = value as Record<string, unknown>;
    if (!validRequestId(requestId))
      throw invalid(
        `${at}/request_id`,
        `must be 1-128 printable ASCII characters, got ${previewValue(requestId)}`,
      );
    if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean')
      throw invalid(`${at}/label`, `must be a string, number or boolean, got ${previewValue(label)}`);
    if (typeof row !== 'number' || !Number.isInteger(row) || row < 0)
      throw invalid(`${at}/row`, `must be a row index (integer ≥ 0), got ${previewValue(row)}`);
    return { requestId, row, label: String(label) };
  });
}
