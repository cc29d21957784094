import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inferColumns } from './infer';
import { validateDataset } from './validate';
import { oraclePath } from '../../../tools/test-support/src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-infer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('inferColumns', () => {
  it('infers types, nullability and categories from a CSV', async () => {
    const file = path.join(tmp, 'a.csv');
    fs.writeFileSync(
      file,
      'i,n,b,d,t,s,c\n1,1.5,true,2024-01-01,2024-01-01T10:00:00Z,x,r\n2,,false,2024-01-02,2024-01-01 11:00,y,g\n-3,2e3,TRUE,2024-01-03,2024-01-02T00:00,z1,r\n4,7,False,2024-01-04,2024-01-03T00:00:00+01:00,,g\n',
    );
    expect(await inferColumns(file, { ranges: true })).toEqual({
      i: { type: 'integer', nullable: false, min: -3, max: 4 },
      n: { type: 'number', nullable: true, min: 1.5, max: 2000 },
      b: { type: 'boolean', nullable: false },
      d: { type: 'date', nullable: false },
      t: { type: 'datetime', nullable: false },
      s: { type: 'string', nullable: true },
      c: { type: 'string', nullable: false, categories: ['g', 'r'] },
    });
  });

  it('on the real Seattle weather CSV: the inferred spec validates its own file', async () => {
    const file = oraclePath('datasets', 'vega', 'seattle-weather.csv');
    const columns = await inferColumns(file);
    expect(columns.date).toEqual({ type: 'date', nullable: false });
    expect(columns.temp_max).toEqual({ type: 'number', nullable: false });
    expect(columns.weather).toEqual({
      type: 'string',
      nullable: false,
      categories: ['drizzle', 'fog', 'rain', 'snow', 'sun'],
    });
    const report = await validateDataset(file, { columns });
    expect(report.violations).toEqual([]);
  });

  it('on the real penguins JSON: typed values and nulls', async () => {
    const file = oraclePath('datasets', 'vega', 'penguins.json');
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    const columns = await inferColumns(file);
    expect(columns['Body Mass (g)']).toEqual({
      type: 'integer',
      nullable: rows.some((r) => r['Body Mass (g)'] === null),
    });
    expect(columns.Species).toMatchObject({
      type: 'string',
      categories: [...new Set(rows.map((r) => r.Species as string))].sort(),
    });
    expect((await validateDataset(file, { columns })).violations).toEqual([]);
  });

  it('reads only the sample: a type change after sampleRows is not seen', async () => {
    const file = path.join(tmp, 'late.csv');
    fs.writeFileSync(file, `a\n${Array.from({ length: 100 }, (_, i) => i).join('\n')}\nx\n`);
    expect((await inferColumns(file, { sampleRows: 50 })).a).toEqual({ type: 'integer', nullable: false });
    expect((await inferColumns(file)).a).toEqual({ type: 'string', nullable: false });
  });
});
