import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import type { DatasetSpec } from './spec';
import { validateDataset, type ValidationReport } from './validate';
import { exampleDatasetPath, oraclePath } from '../../../tools/test-support/src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;

function file(content: string, ext = 'csv'): string {
  const target = path.join(tmp, `data-${++counter}.${ext}`);
  fs.writeFileSync(target, content);
  return target;
}

async function run(
  content: string,
  spec: DatasetSpec,
  ext = 'csv',
  maxViolations?: number,
): Promise<ValidationReport> {
  return validateDataset(file(content, ext), spec, maxViolations === undefined ? {} : { maxViolations });
}

const PEOPLE = [
  'id,name,age,score,country,joined,active',
  '1,Ann,34,0.5,FR,2024-01-02,true',
  '2,Bob,41,0.75,DE,2024-02-29,false',
  '3,Cy,29,1,FR,2023-12-31,true',
  '',
].join('\n');

describe('validateDataset: each rule satisfied', () => {
  it('passes a CSV that meets every rule', async () => {
    const report = await run(PEOPLE, {
      columns: {
        id: { type: 'integer', unique: true, nullable: false },
        name: { type: 'string', minLength: 2, maxLength: 10, pattern: '[A-Z][a-z]+' },
        age: { type: 'integer', min: 18, max: 120 },
        score: { type: 'number', min: 0, max: 1 },
        country: { type: 'string', categories: ['FR', 'DE'] },
        joined: { type: 'date', min: '2020-01-01' },
        active: { type: 'boolean' },
      },
      key: ['country', 'name'],
      rows: { min: 3, max: 3 },
      label: { column: 'country', balance: { minShare: 0.3, maxShare: 0.7 } },
      rowSchema: { type: 'object', properties: { age: { type: 'integer' } }, required: ['age'] },
      additionalColumns: false,
    });
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      rows: 3,
      errors: 0,
      warnings: 0,
      truncated: false,
      format: 'csv',
    });
    expect(report.stats.age).toEqual({ nulls: 0, min: 29, max: 41 });
    expect(report.classes).toEqual({ DE: 1, FR: 2 });
  });
});

describe('validateDataset: each rule violated names row, column, value and rule', () => {
  const cases: [
    string,
    string,
    DatasetSpec,
    Partial<{ rule: string; row: number; column: string; value: unknown }>,
  ][] = [
    [
      'type (integer)',
      'a\n1\n2.5\n',
      { columns: { a: { type: 'integer' } } },
      { rule: 'type', row: 2, column: 'a', value: '2.5' },
    ],
    [
      'type (number)',
      'a\n1\n0x10\n',
      { columns: { a: { type: 'number' } } },
      { rule: 'type', row: 2, column: 'a', value: '0x10' },
    ],
    [
      'type (boolean)',
      'a\ntrue\nyes\n',
      { columns: { a: { type: 'boolean' } } },
      { rule: 'type', row: 2, column: 'a', value: 'yes' },
    ],
    [
      'type (date)',
      'a\n2024-02-29\n2023-02-29\n',
      { columns: { a: { type: 'date' } } },
      { rule: 'type', row: 2, column: 'a', value: '2023-02-29' },
    ],
    [
      'type (datetime)',
      'a\n2024-01-01T10:00:00Z\n2024-01-01T25:00\n',
      { columns: { a: { type: 'datetime' } } },
      { rule: 'type', row: 2, value: '2024-01-01T25:00' },
    ],
    [
      'nullable',
      'a,b\n1,x\n,y\n',
      { columns: { a: { nullable: false } } },
      { rule: 'nullable', row: 2, column: 'a', value: null },
    ],
    [
      'range (min)',
      'a\n5\n-1\n',
      { columns: { a: { type: 'number', min: 0 } } },
      { rule: 'range', row: 2, column: 'a', value: -1 },
    ],
    [
      'range (max)',
      'a\n5\n11\n',
      { columns: { a: { type: 'integer', max: 10 } } },
      { rule: 'range', row: 2, column: 'a', value: 11 },
    ],
    [
      'range (date)',
      'a\n2024-01-01\n2019-12-31\n',
      { columns: { a: { type: 'date', min: '2020-01-01' } } },
      { rule: 'range', row: 2, value: '2019-12-31' },
    ],
    [
      'length',
      'a\nabc\nabcdef\n',
      { columns: { a: { maxLength: 5 } } },
      { rule: 'length', row: 2, column: 'a', value: 'abcdef' },
    ],
    [
      'pattern',
      'a\nAB-1\nab-1\n',
      { columns: { a: { pattern: '[A-Z]{2}-\\d' } } },
      { rule: 'pattern', row: 2, value: 'ab-1' },
    ],
    [
      'category',
      'a\nx\nz\n',
      { columns: { a: { categories: ['x', 'y'] } } },
      { rule: 'category', row: 2, column: 'a', value: 'z' },
    ],
    [
      'category (numeric)',
      'a\n1\n3\n',
      { columns: { a: { type: 'integer', categories: [1, 2] } } },
      { rule: 'category', row: 2, value: '3' },
    ],
    [
      'unique',
      'a\n1\n2\n1\n',
      { columns: { a: { unique: true } } },
      { rule: 'unique', row: 3, column: 'a', value: '1' },
    ],
    [
      'key',
      'a,b\n1,x\n1,y\n1,x\n',
      { key: ['a', 'b'] },
      { rule: 'key', row: 3, column: 'a,b', value: { a: '1', b: 'x' } },
    ],
    [
      'row-schema',
      'a,b\n1,2\n5,2\n',
      {
        columns: { a: { type: 'integer' }, b: { type: 'integer' } },
        rowSchema: { properties: { a: { maximum: 4 } } },
      },
      { rule: 'row-schema', row: 2, column: 'a', value: 5 },
    ],
    ['column-missing', 'a\n1\n', { columns: { a: {}, b: {} } }, { rule: 'column-missing', column: 'b' }],
    [
      'column-unexpected',
      'a,c\n1,2\n',
      { columns: { a: {} }, additionalColumns: false },
      { rule: 'column-unexpected', column: 'c' },
    ],
    ['rows', 'a\n1\n', { rows: { min: 2 } }, { rule: 'rows', value: 1 }],
    [
      'balance',
      'y\na\na\na\nb\n',
      { label: { column: 'y', balance: { minShare: 0.3 } } },
      { rule: 'balance', column: 'y', value: 'b' },
    ],
    ['format (field count)', 'a,b\n1,2\n3\n', {}, { rule: 'format', row: 2 }],
    [
      'pii',
      'note\nhello\nmail me at ann@example.com\n',
      { pii: { scan: true } },
      { rule: 'pii', row: 2, column: 'note', value: 'a***@example.com' },
    ],
  ];
  it.each(cases)('%s', async (_name, content, spec, expected) => {
    const report = await run(content, spec);
    expect(report.ok).toBe(false);
    expect(report.errors).toBe(1);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]).toMatchObject({ severity: 'error', ...expected });
    expect(report.violations[0]!.message.length).toBeGreaterThan(10);
    expect(report.summary).toEqual({ [expected.rule!]: 1 });
  });

  it('names the file line as well as the data row', async () => {
    const report = await run('a,b\n1,x\n\n"multi\nline",y\n-1,z\n', {
      columns: { a: { type: 'integer', min: 0 } },
    });
    const range = report.violations.find((v) => v.rule === 'range');
    expect(range).toMatchObject({ row: 3, line: 6, value: -1 });
  });

  it('counts a missing balance class declared in categories as a 0% share', async () => {
    const report = await run('y\na\nb\n', {
      columns: { y: { categories: ['a', 'b', 'c'] } },
      label: { column: 'y', balance: { minShare: 0.1 } },
    });
    expect(report.violations).toMatchObject([{ rule: 'balance', value: 'c' }]);
    expect(report.classes).toEqual({ a: 1, b: 1, c: 0 });
  });

  it('treats listed null values as null', async () => {
    const report = await run('a\nNA\n1\n', {
      csv: { nullValues: ['NA'] },
      columns: { a: { type: 'integer', nullable: false } },
    });
    expect(report.violations).toMatchObject([{ rule: 'nullable', row: 1 }]);
  });

  it('stops at an unterminated quote with a format violation', async () => {
    const report = await run('a,b\n1,"open\n2,3\n', {});
    expect(report.violations).toMatchObject([{ rule: 'format' }]);
    expect(report.ok).toBe(false);
  });
});

describe('CSV dialects', () => {
  it('reads a header-less CSV in the order columns lists them, and a TSV by its extension', async () => {
    const headerless = await run('1,x\n-2,y\n', {
      csv: { header: false },
      columns: { n: { type: 'integer', min: 0 }, s: {} },
    });
    expect(headerless.columns).toEqual(['n', 's']);
    expect(headerless.violations).toMatchObject([{ rule: 'range', row: 2, line: 2, column: 'n', value: -2 }]);
    const tsv = await run('a\tb\n1,5\tx\n', { columns: { a: { type: 'number' } } }, 'tsv');
    expect(tsv.violations).toMatchObject([{ rule: 'type', column: 'a', value: '1,5' }]);
  });
});

describe('severity', () => {
  const content = 'a,b\n1,x\n200,y\n,z\n';
  it('warnings are reported but do not fail', async () => {
    const report = await run(content, {
      columns: { a: { type: 'integer', max: 100 } },
      severity: { rules: { range: 'warning' } },
    });
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 1 });
    expect(report.violations[0]).toMatchObject({ rule: 'range', severity: 'warning' });
  });

  it('off disables a rule; a default of warning applies to all rules', async () => {
    const off = await run(content, {
      columns: { a: { type: 'integer', max: 100, nullable: false } },
      severity: { rules: { range: 'off' } },
    });
    expect(off.violations.map((v) => v.rule)).toEqual(['nullable']);
    const lenient = await run(content, {
      columns: { a: { type: 'integer', max: 100, nullable: false } },
      severity: { default: 'warning' },
    });
    expect(lenient).toMatchObject({ ok: true, errors: 0, warnings: 2 });
  });

  it('a column severity overrides the rule severity, per rule or for all', async () => {
    const report = await run(content, {
      columns: {
        a: { type: 'integer', max: 100, nullable: false, severity: { nullable: 'warning' } },
        b: { categories: ['x'], severity: 'warning' },
      },
      severity: { rules: { range: 'error', category: 'error' } },
    });
    expect(report.violations.map((v) => `${v.rule}:${v.severity}`).sort()).toEqual([
      'category:warning',
      'category:warning',
      'nullable:warning',
      'range:error',
    ]);
    expect(report.ok).toBe(false);
  });

  it('pii.severity sets the severity of PII findings', async () => {
    const report = await run('c\n10.0.0.1\n', { pii: { severity: 'warning' } });
    expect(report).toMatchObject({
      ok: true,
      warnings: 1,
      pii: [{ column: 'c', kind: 'ipv4', count: 1, rows: [1], example: '10.*.*.*' }],
    });
  });
});

describe('limits and numbers', () => {
  it('keeps at most maxViolations but counts them all', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => String(-i - 1)).join('\n');
    const report = await run(`a\n${rows}\n`, { columns: { a: { type: 'integer', min: 0 } } }, 'csv', 10);
    expect(report.violations).toHaveLength(10);
    expect(report).toMatchObject({ truncated: true, errors: 50, summary: { range: 50 } });
  });

  it('does not scan numeric, date or boolean columns for PII unless asked', async () => {
    const content = 'card,note\n4111111111111111,ok\n';
    expect((await run(content, { columns: { card: { type: 'integer' } }, pii: {} })).pii).toEqual([]);
    expect(
      (await run(content, { columns: { card: { type: 'integer' } }, pii: { columns: ['card'] } })).pii,
    ).toMatchObject([{ kind: 'credit-card' }]);
  });

  it('counts rows and classes of the real iris data as Python does', async () => {
    const iris = exampleDatasetPath('iris', 'iris.csv');
    const script = `import csv, collections, json, sys
rows = list(csv.reader(open(sys.argv[1])))[1:]
print(json.dumps({"rows": len(rows), "classes": dict(collections.Counter(r[4] for r in rows)), "min": min(float(r[0]) for r in rows), "max": max(float(r[0]) for r in rows)}))`;
    const oracle = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, iris], { encoding: 'utf8' }),
    ) as { rows: number; classes: Record<string, number>; min: number; max: number };
    const report = await validateDataset(iris, {
      columns: {
        sepal_length: { type: 'number', min: 0, max: 10 },
        species: { type: 'string', categories: ['setosa', 'versicolor', 'virginica'] },
      },
      label: { column: 'species', balance: { minShare: 0.3 } },
      pii: {},
    });
    expect(report.ok).toBe(true);
    expect(report.rows).toBe(oracle.rows);
    expect(report.classes).toEqual(oracle.classes);
    expect(report.stats.sepal_length).toMatchObject({ min: oracle.min, max: oracle.max });
  });
});

describe('JSON and JSON Lines', () => {
  const spec: DatasetSpec = {
    columns: {
      id: { type: 'integer', unique: true },
      name: { type: 'string', nullable: false },
      score: { type: 'number', max: 1 },
    },
    additionalColumns: false,
  };

  it('reads a JSON array of objects with typed checks', async () => {
    const content = JSON.stringify(
      [
        { id: 1, name: 'a', score: 0.5 },
        { id: 1, name: null, score: '0.5' },
        { id: 2.5, name: 'c', score: 2, extra: true },
      ],
      null,
      2,
    );
    const report = await run(content, spec, 'json');
    expect(report.violations.map((v) => [v.rule, v.row, v.column])).toEqual([
      ['unique', 2, 'id'],
      ['nullable', 2, 'name'],
      ['type', 2, 'score'],
      ['column-unexpected', 3, 'extra'],
      ['type', 3, 'id'],
      ['range', 3, 'score'],
    ]);
    expect(report.rows).toBe(3);
  });

  it('reads JSON Lines with line numbers and reports bad lines', async () => {
    const content = '{"id":1,"name":"a"}\n\n{"id":2,"name":"b","score":3}\nnot json\n[1]\n';
    const report = await run(content, spec, 'jsonl');
    expect(report.violations.map((v) => [v.rule, v.row, v.line])).toEqual([
      ['range', 2, 3],
      ['format', 3, 4],
      ['format', 4, 5],
    ]);
  });

  it('validates the real penguins JSON; nulls in Body Mass are found where Python finds them', async () => {
    const penguins = oraclePath('datasets', 'vega', 'penguins.json');
    const rows = JSON.parse(fs.readFileSync(penguins, 'utf8')) as Record<string, unknown>[];
    const expected = rows.flatMap((row, i) => (row['Body Mass (g)'] === null ? [i + 1] : []));
    const report = await validateDataset(penguins, {
      columns: { 'Body Mass (g)': { type: 'integer', nullable: false } },
    });
    expect(report.rows).toBe(rows.length);
    expect(report.violations.map((v) => v.row)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('a JSON file that is not an array is a format violation', async () => {
    const report = await run('{"a":1}', {}, 'json');
    expect(report.violations).toMatchObject([{ rule: 'format' }]);
  });
});

describe('errors', () => {
  it('a missing file is PATH_NOT_FOUND; Parquet is TABLE_FORMAT_UNKNOWN with a Parquet hint', async () => {
    await expect(validateDataset(path.join(tmp, 'nope.csv'), {})).rejects.toSatisfy((e: unknown) =>
      isCairnError(e, 'PATH_NOT_FOUND'),
    );
    await expect(validateDataset(file('x', 'parquet'), {})).rejects.toSatisfy(
      (e: unknown) => isCairnError(e, 'TABLE_FORMAT_UNKNOWN') && /Parquet/.test(e.hint ?? ''),
    );
  });
});
