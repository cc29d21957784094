/**
 * Request JSON never needs more than {"rows": [{"feature": value}]}; a body
 * nesting deeper is refused before anything walks it recursively.
 */
export const MAX_JSON_DEPTH = 64;

/** Longest part of a request value (or of any message) an error response repeats. */
export const MAX_ECHO_CHARS = 40;
const MAX_MESSAGE_CHARS = 500;

/**
 * A short description of an untrusted value for an error message: its type
 * and at most MAX_ECHO_CHARS characters of it. Objects and arrays are never
 * serialized (a deep one overflows JSON.stringify's stack, a large one bloats
 * the response).
 */
export function previewValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.slice(0, MAX_ECHO_CHARS));
    return value.length > MAX_ECHO_CHARS
      ? `string ${shown.slice(0, -1)}…" (${value.length} characters)`
      : `string ${shown}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${String(value).slice(0, MAX_ECHO_CHARS)}`;
}

/** Clips text that can carry request data (paths, parser and model messages) for a response or a log line. */
export function clipText(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** Depth of nested arrays/objects in a parsed JSON value, without recursion; stops once past `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}
