import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../tools/test-support/src';

let dir: string;

function writeSample(file: string, n: number, seed: number, shift: number): void {
  const random = seededRandom(seed);
  const lines = ['amount,color,flag'];
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    const amount = 50 + shift * 20 + 10 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    const color = ['red', 'green', 'blue', 'black'][Math.floor(random() ** (1 + shift) * 4)];
    const flag = random() < 0.4 + shift * 0.3 ? 'y' : 'n';
    lines.push(`${amount.toFixed(3)},${color},${flag}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const cairn = (...args: string[]) => runCli(args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-drift-cli-'));
  writeSample(join(dir, 'ref.csv'), 300, 1, 0);
  writeSample(join(dir, 'same.csv'), 250, 2, 0);
  writeSample(join(dir, 'shifted.csv'), 250, 3, 1);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

describe('cairn drift', () => {
  it('exits 0 without drift and prints the JSON contract', async () => {
    const r = await cairn(
      'drift',
      '--reference',
      join(dir, 'ref.csv'),
      '--current',
      join(dir, 'same.csv'),
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      columns: Record<string, Record<string, unknown>>;
      share: number;
      drift: boolean;
    };
    expect(Object.keys(report).sort()).toEqual(['columns', 'drift', 'share']);
    expect(Object.keys(report.columns)).toEqual(['amount', 'color', 'flag']);
    expect(report.columns.amount).toMatchObject({ test: 'ks', threshold: 0.05, drift: false });
    expect(report.columns.color?.test).toBe('chisquare');
    expect(report.columns.flag?.test).toBe('ztest');
    expect(report.drift).toBe(false);
  });

  it('agrees with scipy.stats.ks_2samp reading the same CSV files', async () => {
    const r = await cairn(
      'drift',
      '--reference',
      join(dir, 'ref.csv'),
      '--current',
      join(dir, 'shifted.csv'),
      '--column',
      'amount',
      '--json',
    );
    const report = JSON.parse(r.stdout) as { columns: { amount: { statistic: number; p_value: number } } };
    const oracle = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          'import csv,json,sys\nfrom scipy import stats\ncol=lambda f:[float(r["amount"]) for r in csv.DictReader(open(f))]\nr=stats.ks_2samp(col(sys.argv[1]),col(sys.argv[2]))\nprint(json.dumps([r.statistic,r.pvalue]))',
          join(dir, 'ref.csv'),
          join(dir, 'shifted.csv'),
        ],
        { encoding: 'utf8' },
      ),
    ) as [number, number];
    expect(Math.abs(report.columns.amount.statistic - oracle[0])).toBeLessThanOrEqual(1e-9 * oracle[0]);
    expect(Math.abs(report.columns.amount.p_value - oracle[1])).toBeLessThanOrEqual(1e-9 * oracle[1]);
  });

  it('exits 1 when the dataset drifts, and writes a self-contained HTML report', async () => {
    const html = join(dir, 'out', 'report.html');
    const r = await cairn(
      'drift',
      '--reference',
      join(dir, 'ref.csv'),
      '--current',
      join(dir, 'shifted.csv'),
      '--html',
      html,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('dataset drift detected');
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/(src|href)=/);
  });

  it('honours --test and --threshold', async () => {
    const r = await cairn(
      'drift',
      '--reference',
      join(dir, 'ref.csv'),
      '--current',
      join(dir, 'shifted.csv'),
      '--test',
      'psi',
      '--threshold',
      '1000',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      columns: Record<string, { test: string; threshold: number; p_value?: number }>;
    };
    for (const c of Object.values(report.columns)) {
      expect(c).toMatchObject({ test: 'psi', threshold: 1000 });
      expect(c.p_value).toBeUndefined();
    }
  });

  it('exits 2 naming a missing file', async () => {
    const missing = join(dir, 'nope.csv');
    const r = await cairn('drift', '--reference', missing, '--current', join(dir, 'same.csv'), '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toContain('PATH_NOT_FOUND');
  });

  it('exits 2 naming an unknown column and listing the valid ones', async () => {
    const r = await cairn(
      'drift',
      '--reference',
      join(dir, 'ref.csv'),
      '--current',
      join(dir, 'same.csv'),
      '--column',
      'colour',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DRIFT_UNKNOWN_COLUMN');
    expect(r.stderr).toContain('"colour"');
    for (const valid of ['amount', 'color', 'flag']) expect(r.stderr).toContain(`"${valid}"`);
  });

  it('exits 2 on an unknown test or a bad threshold', async () => {
    const base = ['drift', '--reference', join(dir, 'ref.csv'), '--current', join(dir, 'same.csv')];
    expect((await cairn(...base, '--test', 'anova')).code).toBe(2);
    expect((await cairn(...base, '--threshold', 'abc')).code).toBe(2);
    expect((await cairn(...base, '--column', 'color', '--test', 'ks')).code).toBe(2);
  });

  it('--html naming a folder is WRITE_TARGET_IS_FOLDER (exit 2, no stack trace) and leaves the folder as it was', async () => {
    const folder = join(dir, 'html-folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.txt'), 'keep');
    const r = await cairn(
      'drift',
      '--reference',
      join(dir, 'ref.csv'),
      '--current',
      join(dir, 'same.csv'),
      '--html',
      folder,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[WRITE_TARGET_IS_FOLDER]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(folder)).toEqual(['keep.txt']);
  });
});
