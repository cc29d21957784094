import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/run-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;

function git(...args: string[]): void {
  execFileSync('git', args, {
    cwd: dir,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
      HOME: dir,
    },
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-compare-'));
  git('init', '-q', '-b', 'main');
  writeFileSync(
    join(dir, 'metrics.json'),
    JSON.stringify({ metrics: { accuracy: 0.95, log_loss: 0.2 }, data: { iris: 'b3:old' } }),
  );
  git('add', '.');
  git('commit', '-q', '-m', 'baseline');
  // the working tree now holds this run's metrics
  writeFileSync(
    join(dir, 'metrics.json'),
    JSON.stringify({ metrics: { accuracy: 0.9, log_loss: 0.21 }, data: { iris: 'b3:new' } }),
  );
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({
      gates: { accuracy: { min: 0.8, max_regression: 0.02 }, log_loss: { max_regression: 0.05 } },
    }),
  );
  writeFileSync(join(dir, 'loose.json'), JSON.stringify({ accuracy: { min: 0.8, max_regression: 0.1 } }));
  writeFileSync(join(dir, 'flat-baseline.json'), JSON.stringify({ accuracy: 0.91 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cairn = (...args: string[]) => runCli(args, { cwd: dir });

describe('cairn compare', () => {
  it('fails (exit 1) when a metric regressed beyond its rule against the committed baseline at a ref', async () => {
    const { code, stdout } = await cairn(
      'compare',
      '--current',
      'metrics.json',
      '--base-ref',
      'main',
      '--rules',
      'model.json',
      '--markdown',
      'report.md',
      '--model',
      'iris',
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL\s+accuracy\s+0\.9000\s+0\.9500\s+-0\.0500/m);
    expect(stdout).toMatch(/^PASS\s+log_loss/m);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('❌ Cairn gate for `iris`');
    expect(md).toContain('| iris | `b3:new` | `b3:old` | changed |');
  });

  it('passes with looser rules and a flat baseline file; --json prints the report', async () => {
    const { code, stdout } = await cairn(
      'compare',
      '--current',
      'metrics.json',
      '--baseline',
      'flat-baseline.json',
      '--rules',
      'loose.json',
      '--json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      passed: boolean;
      rows: Array<{ metric: string; baseline?: number }>;
    };
    expect(report.passed).toBe(true);
    expect(report.rows.find((r) => r.metric === 'accuracy')?.baseline).toBe(0.91);
  });

  it('first run: the file is absent at the ref, relative rules are skipped', async () => {
    writeFileSync(join(dir, 'new-metrics.json'), JSON.stringify({ accuracy: 0.85 }));
    const { code, stdout } = await cairn(
      'compare',
      '--current',
      'new-metrics.json',
      '--base-ref',
      'main',
      '--rules',
      'model.json',
      '--json',
    );
    expect(code).toBe(1); // log_loss is ruled but missing from this run
    const report = JSON.parse(stdout) as {
      hasBaseline: boolean;
      rows: Array<{ metric: string; passed: boolean; reason?: string }>;
    };
    expect(report.hasBaseline).toBe(false);
    expect(report.rows.find((r) => r.metric === 'accuracy')).toMatchObject({
      passed: true,
      reason: expect.stringContaining('skipped'),
    });
    expect(report.rows.find((r) => r.metric === 'log_loss')).toMatchObject({ passed: false });
  });

  it('bad input exits 2 with a stable code', async () => {
    const ref = await cairn(
      'compare',
      '--current',
      'metrics.json',
      '--base-ref',
      'nope',
      '--rules',
      'model.json',
    );
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain('GIT_REF_NOT_FOUND');
    const missing = await cairn(
      'compare',
      '--current',
      'absent.json',
      '--baseline',
      'flat-baseline.json',
      '--rules',
      'model.json',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('PATH_NOT_FOUND');
  });
});
