import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-synth-cli-'));
  mkdirSync(join(dir, '.cairn'));
  mkdirSync(join(dir, 'shop'));
  writeFileSync(
    join(dir, 'shop', 'dataset.json'),
    JSON.stringify({
      data: 'orders.csv',
      label: 'returned',
      validation: {
        columns: {
          order: { type: 'integer', unique: true, nullable: false, min: 1 },
          amount: { type: 'number', min: 0, max: 500 },
          returned: { categories: ['yes', 'no'], nullable: false },
        },
        rows: { min: 20 },
        label: { column: 'returned', balance: { minShare: 0.2 } },
      },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cairn synth', () => {
  it('writes a dataset project synthetic twin under dist/ that `cairn validate` accepts', async () => {
    const made = await runCli(['synth', '--dataset', 'shop', '--rows', '40', '--seed', '7'], { cwd: dir });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('40 rows × 3 columns (csv, seed 7)');
    const file = join(dir, 'dist', 'cairn', 'shop', 'synth', 'orders.csv');
    const checked = await runCli(['validate', file, '--spec', join(dir, 'shop', 'dataset.json')]);
    expect(checked.stdout).toContain('ok: ');
    expect(checked.code).toBe(0);
    const again = join(dir, 'again.csv');
    await runCli([
      'synth',
      '--spec',
      join(dir, 'shop', 'dataset.json'),
      '--rows',
      '40',
      '--seed',
      '7',
      '--out',
      again,
    ]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('refuses rows outside the spec, unknown datasets and a missing source with coded errors', async () => {
    const rows = await runCli(['synth', '--dataset', 'shop', '--rows', '5', '--json'], { cwd: dir });
    expect(rows.code).toBe(2);
    expect(rows.stderr).toContain('OPTION_INVALID');
    const unknown = await runCli(['synth', '--dataset', 'nope'], { cwd: dir });
    expect(unknown.stderr).toContain('PROJECT_NOT_FOUND');
    const neither = await runCli(['synth'], { cwd: dir });
    expect(neither.stderr).toContain('OPTIONS_CONFLICT');
    expect(neither.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
