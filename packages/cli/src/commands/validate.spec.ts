import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let dir: string;

const cairn = (...args: string[]) => runCli(args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-validate-cli-'));
  mkdirSync(join(dir, 'iris', 'data'), { recursive: true });
  writeFileSync(join(dir, 'iris', 'data', 'good.csv'), 'id,x,species\n1,5.1,setosa\n2,4.9,virginica\n');
  writeFileSync(join(dir, 'iris', 'data', 'bad.csv'), 'id,x,species\n1,5.1,setosa\n1,-4.9,rose\n');
  writeFileSync(
    join(dir, 'iris', 'dataset.json'),
    JSON.stringify({
      data: 'data/good.csv',
      validation: {
        columns: {
          id: { type: 'integer', unique: true },
          x: { type: 'number', min: 0 },
          species: { categories: ['setosa', 'virginica'] },
        },
        severity: { rules: { category: 'warning' } },
      },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

describe('cairn validate', () => {
  it('exits 0 for valid data, finding dataset.json above the data file', async () => {
    const r = await cairn('validate', join(dir, 'iris', 'data', 'good.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: ');
    expect(r.stdout).toContain('2 rows');
  });

  it('exits 1 on a broken error rule; --json prints the report, --report writes Markdown', async () => {
    const md = join(dir, 'out', 'report.md');
    const r = await cairn(
      'validate',
      join(dir, 'iris', 'data', 'bad.csv'),
      '--spec',
      join(dir, 'iris', 'dataset.json'),
      '--json',
      '--report',
      md,
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      errors: number;
      warnings: number;
      violations: { rule: string; row: number; column: string; value: unknown }[];
    };
    expect(report).toMatchObject({ ok: false, errors: 2, warnings: 1 });
    expect(report.violations.map((v) => [v.rule, v.row, v.column, v.value])).toEqual([
      ['unique', 2, 'id', '1'],
      ['range', 2, 'x', -4.9],
      ['category', 2, 'species', 'rose'],
    ]);
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toContain('❌ failed');
    expect(markdown).toContain('| 2 | x | range | ❌ error | `-4.9` |');
  });

  it('warnings alone exit 0; the text output names row, column and rule', async () => {
    const spec = join(dir, 'warn.json');
    writeFileSync(
      spec,
      JSON.stringify({ columns: { species: { categories: ['setosa'] } }, severity: { default: 'warning' } }),
    );
    const r = await cairn('validate', join(dir, 'iris', 'data', 'bad.csv'), '--spec', spec);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning [category] row 2, line 3, column species');
  });

  it('a malformed spec exits 2 naming the file and JSON pointer', async () => {
    const spec = join(dir, 'broken.json');
    writeFileSync(spec, JSON.stringify({ validation: { columns: { x: { type: 'float' } } } }));
    const r = await cairn('validate', join(dir, 'iris', 'data', 'good.csv'), '--spec', spec);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[DATASET_SPEC_INVALID]');
    expect(r.stderr).toContain(`${spec}: /validation/columns/x/type must be one of`);
  });

  it('a missing data file exits 2', async () => {
    const r = await cairn('validate', join(dir, 'nope.csv'), '--spec', join(dir, 'iris', 'dataset.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PATH_NOT_FOUND');
  });

  it('--report or --report-json naming a folder is WRITE_TARGET_IS_FOLDER (exit 2, no stack trace)', async () => {
    const folder = join(dir, 'report-folder');
    mkdirSync(folder);
    for (const flag of ['--report', '--report-json']) {
      const r = await cairn('validate', join(dir, 'iris', 'data', 'good.csv'), flag, folder);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error[WRITE_TARGET_IS_FOLDER]');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(folder)).toEqual([]);
  });
});
