import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReportMarkdown, writeValidationReports } from './report-markdown';
import type { ValidationReport } from './validate';

const report: ValidationReport = {
  ok: false,
  file: 'data/raw.csv',
  format: 'csv',
  bytes: 1234,
  rows: 3,
  columns: ['a', 'note'],
  errors: 2,
  warnings: 1,
  violations: [
    {
      rule: 'range',
      severity: 'error',
      row: 2,
      line: 3,
      column: 'a',
      value: -1,
      message: 'a = -1 is outside [0, ∞]',
    },
    {
      rule: 'pattern',
      severity: 'warning',
      row: 3,
      line: 4,
      column: 'note',
      value: 'x|y\nz',
      message: 'note = "x|y" does not match',
    },
  ],
  truncated: true,
  summary: { range: 2, pattern: 1 },
  pii: [{ column: 'note', kind: 'email', count: 4, rows: [1, 2], example: 'j***@example.com' }],
  stats: {},
  classes: { a: 1, b: 3 },
  durationMs: 5,
};

describe('renderReportMarkdown', () => {
  const markdown = renderReportMarkdown(report, { dataset: 'iris', specFile: 'datasets/iris/dataset.json' });

  it('states the verdict and the counts per rule', () => {
    expect(markdown).toContain('## Data validation — iris: ❌ failed');
    expect(markdown).toContain('**2 errors**, 1 warning');
    expect(markdown).toContain('| range | 2 | error |');
    expect(markdown).toContain('| pattern | 1 | warning |');
  });

  it('lists violations with row, column, rule, severity and value; escapes table breakers', () => {
    expect(markdown).toContain('| 2 | a | range | ❌ error | `-1` | a = -1 is outside [0, ∞] |');
    expect(markdown).toContain('`x\\|y z`');
    expect(markdown).toContain('_1 more not listed._');
  });

  it('shows PII findings masked and class shares', () => {
    expect(markdown).toContain('| note | email | 4 | 1, 2 | `j***@example.com` |');
    expect(markdown).toContain('| b | 3 | 75.0% |');
  });

  it('a passing report says so', () => {
    expect(
      renderReportMarkdown({
        ...report,
        ok: true,
        errors: 0,
        warnings: 0,
        violations: [],
        summary: {},
        pii: [],
      }),
    ).toContain(': ✅ passed');
  });
});

describe('writeValidationReports', () => {
  it('writes the JSON and Markdown reports into a folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-reports-'));
    try {
      const written = await writeValidationReports(report, path.join(dir, 'out'), { dataset: 'iris' });
      expect(JSON.parse(fs.readFileSync(written.json, 'utf8'))).toEqual(report);
      expect(fs.readFileSync(written.markdown, 'utf8')).toBe(
        renderReportMarkdown(report, { dataset: 'iris' }),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
