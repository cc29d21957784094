import { RE2JS } from 're2js';

/**
 * Spec patterns are untrusted input: a backtracking engine takes exponential
 * time on patterns such as `(a+)+$`. They are matched with RE2JS (a port of
 * RE2), whose time is linear in the input for every pattern; the price is
 * RE2's dialect, without backreferences and lookaround.
 */
export class PatternSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    /** True when the JavaScript syntax is valid and only RE2 cannot express it. */
    readonly unsupported: boolean,
    readonly reason: string,
  ) {
    super(`${pattern}: ${reason}`);
    this.name = 'PatternSyntaxError';
  }
}

/** `\k<name>` outside a character class: in `u` mode it can only be a named backreference. */
function hasNamedBackreference(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      if (!inClass && pattern[i + 1] === 'k') return true;
      i++;
    } else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
  }
  return false;
}

/**
 * The syntax is JavaScript's (`u` flag), checked by `RegExp` without running
 * it; RE2 then compiles what it can express. Checking first matters: RE2JS's
 * translation drops unknown escapes, which would turn `\k<n>` into a literal.
 */
function compile(pattern: string, anchored: boolean): RE2JS {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new PatternSyntaxError(pattern, false, (error as Error).message);
  }
  if (hasNamedBackreference(pattern)) {
    throw new PatternSyntaxError(pattern, true, 'named backreference \\k<…>');
  }
  try {
    // JavaScript spellings RE2 writes differently (`(?<name>`, `\u{…}`) are translated first.
    const translated = RE2JS.translateRegExp(pattern);
    return RE2JS.compile(anchored ? `(?:${translated})` : translated);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    throw new PatternSyntaxError(pattern, true, reason);
  }
}

/** Whether the whole of `text` matches `pattern` (a spec column's `pattern`). */
export function compileWholeMatch(pattern: string): { test(text: string): boolean } {
  const re = compile(pattern, true);
  return { test: (text) => re.testExact(text) };
}

/**
 * The regular-expression engine for Ajv's `code.regExp` option: JSON Schema
 * `pattern` and `patternProperties` search anywhere in the string, as
 * `RegExp.prototype.test` does.
 */
export const linearRegExp = Object.assign(
  (pattern: string, _flags: string): { test(text: string): boolean } => {
    const re = compile(pattern, false);
    return { test: (text) => re.test(text) };
  },
  // Only used by Ajv's standalone code generation.
  { code: 'require("@cairn/validate").linearRegExp' },
);

/** One line for an error message: what went wrong with a pattern and what is valid instead. */
export function describePatternError(error: PatternSyntaxError): string {
  return error.unsupported
    ? `uses syntax the linear-time regular-expression engine (RE2) does not support: ${error.reason}; backreferences (\\1) and lookaround ((?=…), (?!…), (?<=…), (?<!…)) cannot be matched in linear time`
    : `is not a valid regular expression: ${error.reason}`;
}
