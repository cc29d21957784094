import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleDatasetPath, seededRandom } from '../../../tools/test-support/src/index';
import { parseDatasetSpec } from './parse-spec';
import type { DatasetSpec } from './spec';
import { synthesizeTable, writeSyntheticDataset } from './synthesize';
import { validateDataset } from './validate';

const PYTHON = process.env.CAIRN_SKLEARN_PYTHON ?? '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'cairn-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const baseSeed = Number(process.env.CAIRN_TEST_SEED ?? 1717);
const random = seededRandom(baseSeed);
const seeds = Array.from({ length: 12 }, () => Math.floor(random() * 2 ** 31));

/** The spec `validateProject` builds from a dataset.json: its format and label, then its `validation`. */
function exampleSpec(name: string): DatasetSpec {
  const file = exampleDatasetPath(name, 'dataset.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    format?: 'csv';
    label?: string;
    validation: DatasetSpec;
  };
  return parseDatasetSpec(
    {
      format: config.format ?? 'csv',
      ...(config.label ? { label: { column: config.label } } : {}),
      ...config.validation,
    },
    file,
  );
}

const examples = readdirSync(exampleDatasetPath()).filter((name) => !name.includes('.'));

/** Every rule validation knows, at least once, in one spec. */
const richSpec = parseDatasetSpec(
  {
    columns: {
      id: { type: 'integer', nullable: false, unique: true, min: 1, max: 100000 },
      code: { type: 'string', nullable: false, pattern: '[A-Z]{2}-[0-9]{3}', unique: true },
      note: { type: 'string', minLength: 0, maxLength: 6 },
      day: { type: 'date', min: '2024-02-01', max: '2024-03-31', nullable: false },
      at: { type: 'datetime', min: '2024-01-01T00:00:00Z', max: '2024-01-02T00:00:00Z' },
      flag: { type: 'boolean' },
      score: { type: 'number', min: -1, max: 1, distribution: { kind: 'normal', mean: 0.2, sd: 0.3 } },
      size: { type: 'integer', categories: [1, 2, 3], nullable: false },
      region: { categories: ['north', 'south'], nullable: false },
      target: { type: 'string', nullable: false },
    },
    additionalColumns: false,
    key: ['region', 'size', 'day'],
    rows: { min: 10, max: 170 },
    label: { column: 'target', balance: { minShare: 0.1, maxShare: 0.45 } },
    rowSchema: {
      type: 'object',
      properties: { score: { anyOf: [{ type: 'null' }, { type: 'number', minimum: -0.5 }] } },
    },
    pii: { scan: true },
    csv: { nullValues: ['NA'] },
  },
  'rich.json',
);

async function expectValid(
  spec: DatasetSpec,
  file: string,
  options: { rows?: number; seed: number; edgeCases?: boolean },
) {
  const written = await writeSyntheticDataset(spec, file, options);
  const report = await validateDataset(file, spec);
  expect(
    report.violations.filter((violation) => violation.severity === 'error'),
    `seed ${options.seed}, ${file}`,
  ).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.rows).toBe(written.rows);
  return report;
}

describe('synthetic data passes validation against its own spec', () => {
  it.each(examples)('example %s, many seeds, plain and edge-case mode', async (name) => {
    const spec = exampleSpec(name);
    for (const [i, seed] of seeds.entries()) {
      const file = join(dir, `${name}-${seed}.csv`);
      await expectValid(spec, file, { seed, edgeCases: i % 2 === 1 });
    }
  });

  it.each(['data.csv', 'data.tsv', 'data.json', 'data.jsonl'])(
    'a spec using every rule, written as %s',
    async (fileName) => {
      for (const [i, seed] of seeds.entries()) {
        const spec =
          fileName === 'data.tsv' ? { ...richSpec, csv: { ...richSpec.csv, header: false } } : richSpec;
        const rows = 10 + (seed % 161);
        await expectValid(spec, join(dir, `${seed}-${fileName}`), { seed, rows, edgeCases: i % 2 === 0 });
      }
    },
  );
});

describe('determinism and edge cases', () => {
  it('the same seed gives the same table, another seed another one', () => {
    const spec = exampleSpec('penguins');
    const a = synthesizeTable(spec, { seed: seeds[0]! });
    const b = synthesizeTable(spec, { seed: seeds[0]! });
    const c = synthesizeTable(spec, { seed: seeds[1]! });
    expect(b).toEqual(a);
    expect(c.rows).not.toEqual(a.rows);
  });

  it('edge-case mode puts every boundary, category, null and a rare class in the data', () => {
    const table = synthesizeTable(richSpec, { seed: seeds[2]!, rows: 60, format: 'json', edgeCases: true });
    const values = (name: string) => table.rows.map((row) => row[name]);
    expect(values('id')).toEqual(expect.arrayContaining([1, 100000]));
    expect(values('day')).toEqual(expect.arrayContaining(['2024-02-01', '2024-03-31']));
    expect(values('at')).toEqual(expect.arrayContaining(['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z']));
    expect(values('note')).toEqual(expect.arrayContaining(['', null]));
    expect(values('note').some((value) => typeof value === 'string' && value.length === 6)).toBe(true);
    expect(values('flag')).toEqual(expect.arrayContaining([true, false, null]));
    // min -1 is an edge value, but the row schema forbids scores under -0.5: it is dropped, not written.
    expect(values('score')).toEqual(expect.arrayContaining([1, 0, null]));
    expect(values('score').every((value) => value === null || (value as number) >= -0.5)).toBe(true);
    expect(new Set(values('size'))).toEqual(new Set([1, 2, 3]));
    const counts = new Map<unknown, number>();
    for (const label of values('target')) counts.set(label, (counts.get(label) ?? 0) + 1);
    // 60 rows, minShare 0.1: the rare class holds exactly the 6 rows the balance allows.
    expect(Math.min(...counts.values())).toBe(6);
  });

  it('widens an open range for a unique column so many rows stay distinct', () => {
    const spec = parseDatasetSpec(
      {
        columns: {
          id: { type: 'integer', unique: true, nullable: false },
          day: { type: 'date', unique: true },
        },
      },
      's.json',
    );
    const table = synthesizeTable(spec, { rows: 2000, seed: seeds[4]! });
    expect(new Set(table.rows.map((row) => row.id)).size).toBe(2000);
    expect(new Set(table.rows.map((row) => row.day)).size).toBe(2000);
  });

  it('names the spec field it cannot satisfy', () => {
    const tooFew = parseDatasetSpec(
      { columns: { id: { type: 'integer', min: 1, max: 5, unique: true } } },
      's.json',
    );
    expect(() => synthesizeTable(tooFew, { rows: 6 })).toThrow(
      expect.objectContaining({ code: 'SYNTH_UNSATISFIABLE', data: { pointer: '/columns/id' } }),
    );
    const balance = parseDatasetSpec(
      { columns: { y: { categories: ['a', 'b'] } }, label: { column: 'y', balance: { minShare: 0.5 } } },
      's.json',
    );
    expect(() => synthesizeTable(balance, { rows: 7 })).toThrow(
      expect.objectContaining({ code: 'SYNTH_UNSATISFIABLE', data: { pointer: '/label/balance' } }),
    );
    expect(() => synthesizeTable(exampleSpec('iris'), { rows: 5 })).toThrow(
      expect.objectContaining({ code: 'OPTION_INVALID' }),
    );
  });
});

describe('column statistics follow the declared distributions (scipy oracle)', () => {
  it('a truncated normal passes a KS test and categorical weights a chi-square test', () => {
    const spec = parseDatasetSpec(
      {
        columns: {
          x: { type: 'number', min: -1, max: 3, distribution: { kind: 'normal', mean: 0.5, sd: 1 } },
          c: {
            categories: ['a', 'b', 'c'],
            nullable: false,
            distribution: { kind: 'categorical', weights: { a: 1, b: 3, c: 6 } },
          },
        },
      },
      's.json',
    );
    const table = synthesizeTable(spec, { seed: seeds[3]!, rows: 4000 });
    const script = [
      'import json, sys',
      'from scipy import stats',
      'd = json.load(sys.stdin)',
      'a, b = (-1 - 0.5) / 1, (3 - 0.5) / 1',
      'ks = stats.kstest(d["x"], stats.truncnorm(a, b, loc=0.5, scale=1).cdf).pvalue',
      'n = len(d["c"]); counts = [d["c"].count(k) for k in "abc"]',
      'chi = stats.chisquare(counts, [n * 0.1, n * 0.3, n * 0.6]).pvalue',
      'print(json.dumps({"ks": ks, "chi": chi}))',
    ].join('\n');
    let output: string;
    try {
      output = execFileSync(PYTHON, ['-c', script], {
        input: JSON.stringify({ x: table.rows.map((row) => row.x), c: table.rows.map((row) => row.c) }),
        encoding: 'utf8',
      });
    } catch (error) {
      throw new Error(
        `scipy oracle failed (${(error as Error).message}); install it with: node tools/oracles/check.mjs --install (python3-scipy)`,
      );
    }
    const { ks, chi } = JSON.parse(output) as { ks: number; chi: number };
    // Seeded, so these p-values are fixed numbers; a wrong distribution drives them to ~0.
    expect(ks).toBeGreaterThan(0.01);
    expect(chi).toBeGreaterThan(0.01);
  });
});
