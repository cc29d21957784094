/** A cell once read: a number, a text, or null (an empty CSV cell, a JSON null or a missing key). */
export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/**
 * The documented number rule, as a regular expression over the text with
 * surrounding white space removed: an optional sign, decimal digits with an
 * optional fraction (or a bare fraction), an optional exponent. `parseNumber`
 * implements it faster; a spec checks that both agree.
 */
export const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The number a cell holds, or undefined. Surrounding white space is ignored;
 * hex/octal/binary literals, `Infinity`, `NaN`, digit separators and values
 * that overflow to ±Infinity are not numbers, nor is an empty or blank cell.
 */
export function parseNumber(text: string): number | undefined {
  // Number() alone is the fast path (it trims and rejects most non-numbers) but
  // also reads '' and '  ' as 0 and accepts 0x/0o/0b literals: those are refused here.
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  const first = text.charCodeAt(0);
  const core = first > 32 && first < 127 ? text : text.trim();
  if (core.length === 0) return undefined;
  if (core.charCodeAt(0) === 48 && core.length > 1) {
    const prefix = core.charCodeAt(1) | 0x20;
    if (prefix === 0x78 || prefix === 0x6f || prefix === 0x62) return undefined;
  }
  return value;
}

/** A CSV cell: empty is null, a number (see `parseNumber`) becomes a number, anything else stays text as written. */
export function castCell(text: string): Cell {
  if (text === '') return null;
  return parseNumber(text) ?? text;
}
