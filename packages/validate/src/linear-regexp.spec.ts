import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/errors';
import { compileWholeMatch, linearRegExp } from './linear-regexp';
import { parseDatasetSpec } from './parse-spec';
import { validateDataset } from './validate';
import { seededRandom } from '../../../tools/test-support/src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-regexp-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Patterns in the common subset of JavaScript and RE2 syntax over the alphabet a, b, c, -, 1. */
function randomPattern(next: () => number, depth = 0): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const atom = (): string => {
    const roll = next();
    if (depth < 3 && roll < 0.2) return `(${randomPattern(next, depth + 1)})`;
    if (depth < 3 && roll < 0.3) return `(?:${randomPattern(next, depth + 1)})`;
    return pick(['a', 'b', 'c', '-', '1', '.', '[ab]', '[^a]', '[a-c1]', '\\d', '\\w', '[\\-1]']);
  };
  const piece = (): string => atom() + pick(['', '', '', '?', '*', '+', '{2}', '{1,3}', '{0,}', '*?', '+?']);
  const branch = (): string => Array.from({ length: 1 + Math.floor(next() * 3) }, piece).join('');
  const branches = Array.from({ length: next() < 0.25 ? 2 : 1 }, branch);
  const anchored = depth === 0 && next() < 0.2;
  return (anchored ? '^' : '') + branches.join('|') + (anchored && next() < 0.5 ? '$' : '');
}

function randomText(next: () => number): string {
  const length = Math.floor(next() * 9);
  return Array.from({ length }, () => 'abc-1'[Math.floor(next() * 5)]).join('');
}

describe('spec patterns run on a linear-time engine', () => {
  it('answers (a+)+$ on 41 a and a ! (79 s with the backtracking engine)', async () => {
    const hostile = `${'a'.repeat(41)}!`;
    expect(compileWholeMatch('(a+)+$').test(hostile)).toBe(false);
    expect(linearRegExp('(a+)+$', 'u').test(hostile)).toBe(false);
    const data = path.join(tmp, 'hostile.csv');
    fs.writeFileSync(data, `name\n${hostile}\n${'a'.repeat(41)}\n`);
    const report = await validateDataset(data, {
      columns: { name: { pattern: '(a+)+$' } },
      rowSchema: { properties: { name: { type: 'string', pattern: '^(a+)+$' } } },
    });
    expect(report.violations.map((v) => [v.rule, v.row])).toEqual([
      ['pattern', 1],
      ['row-schema', 1],
    ]);
  });

  it('agrees with JavaScript RegExp on a seeded random corpus of simple patterns', () => {
    const seed = Number(process.env.CAIRN_REGEXP_SEED ?? 20261201);
    console.log(`regexp corpus seed ${seed} (replay with CAIRN_REGEXP_SEED=${seed})`);
    const next = seededRandom(seed);
    let compared = 0;
    for (let p = 0; p < 400; p++) {
      const pattern = randomPattern(next);
      const whole = compileWholeMatch(pattern);
      const search = linearRegExp(pattern, 'u');
      const jsWhole = new RegExp(`^(?:${pattern})$`, 'u');
      const jsSearch = new RegExp(pattern, 'u');
      for (let t = 0; t < 25; t++) {
        const text = randomText(next);
        expect(whole.test(text), `/${pattern}/ whole-matching ${JSON.stringify(text)}`).toBe(
          jsWhole.test(text),
        );
        expect(search.test(text), `/${pattern}/ searching ${JSON.stringify(text)}`).toBe(jsSearch.test(text));
        compared += 2;
      }
    }
    expect(compared).toBe(20_000);
  });

  it('translates JavaScript spellings RE2 writes differently', () => {
    expect(compileWholeMatch('(?<code>[A-Z]{2})-\\d+').test('FR-12')).toBe(true);
    expect(compileWholeMatch('\\u{1F600}+').test('😀😀')).toBe(true);
  });
});

function failure(json: unknown): CairnError {
  try {
    parseDatasetSpec(json, 'data/x/dataset.json', { pointerPrefix: '/validation' });
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('patterns RE2 cannot express', () => {
  it.each([
    ['backreference', '(a)\\1'],
    ['named backreference', '(?<n>a)\\k<n>'],
    ['lookahead', 'a(?=b)'],
    ['negative lookahead', '(?!x)a'],
    ['lookbehind', '(?<=a)b'],
    ['negative lookbehind', '(?<!a)b'],
  ])('a column %s is a coded error naming the field', (_name, pattern) => {
    const error = failure({ columns: { code: { pattern } } });
    expect(error.code).toBe('DATASET_SPEC_PATTERN_UNSUPPORTED');
    expect(error.data).toEqual({ file: 'data/x/dataset.json', pointer: '/validation/columns/code/pattern' });
    expect(error.message).toContain('data/x/dataset.json: /validation/columns/code/pattern');
    expect(error.message).toContain('RE2');
  });

  it('a rowSchema pattern or patternProperties key is a coded error naming rowSchema and the pattern', () => {
    for (const rowSchema of [
      { properties: { code: { type: 'string', pattern: '(a)\\1' } } },
      { patternProperties: { '^(?=x)': { type: 'string' } } },
    ]) {
      const error = failure({ rowSchema });
      expect(error.code).toBe('DATASET_SPEC_PATTERN_UNSUPPORTED');
      expect(error.data).toEqual({ file: 'data/x/dataset.json', pointer: '/validation/rowSchema' });
      expect(error.message).toMatch(/\/validation\/rowSchema pattern ".*" uses syntax/);
    }
  });

  it('a pattern invalid in every dialect stays DATASET_SPEC_INVALID', () => {
    const error = failure({ rowSchema: { properties: { code: { pattern: '([' } } } });
    expect(error.code).toBe('DATASET_SPEC_INVALID');
    expect(error.message).toContain('is not a valid regular expression');
  });
});
