import { experimentError } from './errors';

/**
 * The `--where` language, small and strict (nothing is evaluated as code):
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := not ("and" not)*
 *   not    := "not" not | "(" expr ")" | compare
 *   compare:= field op literal
 *   op     := = | == | != | < | <= | > | >= | ~        (~: the text contains)
 *   field  := name ("." name)*     e.g. metrics.accuracy, params.lr, status, data.iris
 *   literal:= number | 'text' | "text" | bare-word
 *
 * A comparison on a field a record lacks is false (and `!=` true), so
 * `metrics.auc > 0.9` skips records without an auc. Numbers compare as
 * numbers, anything else as text.
 */

export type WhereNode =
  | { type: 'and' | 'or'; left: WhereNode; right: WhereNode }
  | { type: 'not'; operand: WhereNode }
  | { type: 'compare'; field: string[]; op: Operator; value: string | number };

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

interface Token {
  kind: 'word' | 'number' | 'string' | 'op' | 'paren';
  text: string;
  at: number;
}

const TOKEN =
  /\s*(?:(?<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))|(?<string>'[^']*'|"[^"]*")|(?<op>==|!=|<=|>=|=|<|>|~)|(?<paren>[()])|(?<word>[A-Za-z_][\w-]*(?:\.[\w-]+)*))/y;

function invalid(expression: string, at: number, what: string) {
  return experimentError(
    'EXP_WHERE_INVALID',
    `--where "${expression}": ${what} at character ${at + 1}`,
    { expression, position: at + 1 },
    "write comparisons like metrics.accuracy >= 0.9 and params.model = 'forest', joined with and/or/not and parentheses",
  );
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(expression);
    if (!match?.groups)
      throw invalid(expression, at + /^\s*/.exec(expression.slice(at))![0].length, 'unexpected character');
    const kind = (Object.keys(match.groups) as Token['kind'][]).find(
      (name) => match.groups![name] !== undefined,
    )!;
    const text = match.groups[kind]!;
    tokens.push({ kind, text, at: match.index + match[0].length - text.length });
    at = TOKEN.lastIndex;
  }
  return tokens;
}

export function parseWhere(expression: string): WhereNode {
  if (expression.length > 10_000)
    throw invalid(expression.slice(0, 40), 0, 'expression longer than 10000 characters');
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const end = () =>
    tokens.length ? tokens[tokens.length - 1]!.at + tokens[tokens.length - 1]!.text.length : 0;
  const keyword = (word: string) => peek()?.kind === 'word' && peek()!.text.toLowerCase() === word;
  let depth = 0;

  const parseOr = (): WhereNode => {
    let left = parseAnd();
    while (keyword('or')) {
      position++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): WhereNode => {
    let left = parseNot();
    while (keyword('and')) {
      position++;
      left = { type: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): WhereNode => {
    if (++depth > 100) throw invalid(expression, peek()?.at ?? end(), 'nesting deeper than 100');
    try {
      if (keyword('not')) {
        position++;
        return { type: 'not', operand: parseNot() };
      }
      const token = peek();
      if (token?.kind === 'paren' && token.text === '(') {
        position++;
        const inner = parseOr();
        const close = peek();
        if (close?.kind !== 'paren' || close.text !== ')')
          throw invalid(expression, close?.at ?? end(), 'expected ")"');
        position++;
        return inner;
      }
      return parseCompare();
    } finally {
      depth--;
    }
  };
  const parseCompare = (): WhereNode => {
    const field = peek();
    if (field?.kind !== 'word' || ['and', 'or', 'not'].includes(field.text.toLowerCase())) {
      throw invalid(expression, field?.at ?? end(), 'expected a field name such as metrics.accuracy');
    }
    position++;
    const op = peek();
    if (op?.kind !== 'op')
      throw invalid(
        expression,
        op?.at ?? end(),
        `expected an operator (= != < <= > >= ~) after ${field.text}`,
      );
    position++;
    const literal = peek();
    if (!literal || (literal.kind !== 'number' && literal.kind !== 'string' && literal.kind !== 'word')) {
      throw invalid(expression, literal?.at ?? end(), 'expected a number or a value');
    }
    position++;
    const value =
      literal.kind === 'number'
        ? Number(literal.text)
        : literal.kind === 'string'
          ? literal.text.slice(1, -1)
          : literal.text;
    return {
      type: 'compare',
      field: field.text.split('.'),
      op: (op.text === '==' ? '=' : op.text) as Operator,
      value,
    };
  };

  if (tokens.length === 0) throw invalid(expression, 0, 'empty expression');
  const tree = parseOr();
  if (position < tokens.length)
    throw invalid(expression, tokens[position]!.at, `unexpected "${tokens[position]!.text}"`);
  return tree;
}

/** The value at `path` inside `record` (own properties only), or undefined. */
export function fieldValue(record: object, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, key))
      return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function compare(actual: unknown, op: Operator, expected: string | number): boolean {
  if (actual === undefined || actual === null) return op === '!=';
  if (op === '~') return String(actual).includes(String(expected));
  const numeric = typeof actual === 'number' && typeof expected === 'number';
  const left = numeric
    ? (actual as number)
    : typeof actual === 'object'
      ? JSON.stringify(actual)
      : String(actual);
  const right = numeric ? expected : String(expected);
  switch (op) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

export function matchesWhere(node: WhereNode, record: object): boolean {
  switch (node.type) {
    case 'and':
      return matchesWhere(node.left, record) && matchesWhere(node.right, record);
    case 'or':
      return matchesWhere(node.left, record) || matchesWhere(node.right, record);
    case 'not':
      return !matchesWhere(node.operand, record);
    case 'compare':
      return compare(fieldValue(record, node.field), node.op, node.value);
  }
}
