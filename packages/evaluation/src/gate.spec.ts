import { describe, expect, it } from 'vitest';
import { compareMetrics, higherIsBetter, renderCompareMarkdown, renderCompareTable } from './index';

const row = (report: ReturnType<typeof compareMetrics>, metric: string) =>
  report.rows.find((r) => r.metric === metric)!;

describe('higherIsBetter', () => {
  it('infers direction from the metric name', () => {
    for (const m of ['accuracy', 'f1_macro', 'roc_auc', 'r2', 'mcc', 'precision_weighted'])
      expect(higherIsBetter(m)).toBe(true);
    for (const m of [
      'log_loss',
      'brier',
      'mae',
      'mse',
      'rmse',
      'mape',
      'val_loss',
      'error_rate',
      'mean_absolute_error',
    ])
      expect(higherIsBetter(m)).toBe(false);
  });
});

describe('compareMetrics', () => {
  it('passes within the allowed regression and fails beyond it (higher is better)', () => {
    const rules = { accuracy: { min: 0.9, max_regression: 0.02 } };
    const ok = compareMetrics({ accuracy: 0.93 }, { accuracy: 0.95 }, rules);
    expect(ok.passed).toBe(true);
    expect(row(ok, 'accuracy').delta).toBeCloseTo(-0.02, 12);
    const bad = compareMetrics({ accuracy: 0.92 }, { accuracy: 0.95 }, rules);
    expect(bad.passed).toBe(false);
    expect(row(bad, 'accuracy').reason).toContain('max_regression 0.02');
    const belowMin = compareMetrics({ accuracy: 0.89 }, { accuracy: 0.89 }, rules);
    expect(belowMin.passed).toBe(false);
    expect(row(belowMin, 'accuracy').reason).toContain('below min 0.9');
  });

  it('lower-is-better metrics regress when they rise', () => {
    const rules = { log_loss: { max_regression: 0.05, max: 0.6 } };
    expect(compareMetrics({ log_loss: 0.34 }, { log_loss: 0.3 }, rules).passed).toBe(true);
    const worse = compareMetrics({ log_loss: 0.36 }, { log_loss: 0.3 }, rules);
    expect(worse.passed).toBe(false);
    expect(row(worse, 'log_loss').reason).toContain('rose by');
    expect(compareMetrics({ log_loss: 0.2 }, { log_loss: 0.3 }, rules).passed).toBe(true);
    expect(compareMetrics({ log_loss: 0.7 }, undefined, rules).passed).toBe(false);
    // explicit direction overrides the name
    expect(
      compareMetrics(
        { custom_loss: 0.9 },
        { custom_loss: 0.5 },
        { custom_loss: { max_regression: 0.1, higher_is_better: true } },
      ).passed,
    ).toBe(true);
  });

  it('min_improvement demands a gain', () => {
    const rules = { f1_macro: { min_improvement: 0.01 } };
    expect(compareMetrics({ f1_macro: 0.82 }, { f1_macro: 0.8 }, rules).passed).toBe(true);
    expect(compareMetrics({ f1_macro: 0.805 }, { f1_macro: 0.8 }, rules).passed).toBe(false);
    expect(compareMetrics({ rmse: 1.0 }, { rmse: 1.5 }, { rmse: { min_improvement: 0.4 } }).passed).toBe(
      true,
    );
  });

  it('first run (no baseline): min still applies, relative rules are skipped with a note', () => {
    const rules = { accuracy: { min: 0.9, max_regression: 0.02 }, f1_macro: { min_improvement: 0.01 } };
    const first = compareMetrics({ accuracy: 0.95, f1_macro: 0.9 }, undefined, rules);
    expect(first.passed).toBe(true);
    expect(first.hasBaseline).toBe(false);
    expect(row(first, 'accuracy').reason).toContain('max_regression skipped');
    expect(row(first, 'f1_macro').reason).toContain('min_improvement skipped');
    expect(row(first, 'accuracy').baseline).toBeUndefined();
    expect(compareMetrics({ accuracy: 0.85, f1_macro: 0.9 }, undefined, rules).passed).toBe(false);
    // a baseline that lacks the metric (newly gated) behaves the same
    expect(compareMetrics({ accuracy: 0.95 }, { other: 1 }, { accuracy: { max_regression: 0 } }).passed).toBe(
      true,
    );
  });

  it('NaN or missing current values fail a ruled metric; a NaN baseline skips the relative rule', () => {
    const rules = { roc_auc: { min: 0.5 } };
    const nan = compareMetrics({ roc_auc: Number.NaN }, undefined, rules);
    expect(nan.passed).toBe(false);
    expect(row(nan, 'roc_auc').reason).toBe('current value is NaN');
    const missing = compareMetrics({ accuracy: 1 }, undefined, rules);
    expect(missing.passed).toBe(false);
    expect(row(missing, 'roc_auc').reason).toBe('missing from the current metrics');
    const nanBase = compareMetrics(
      { roc_auc: 0.7 },
      { roc_auc: Number.NaN },
      { roc_auc: { max_regression: 0.01 } },
    );
    expect(nanBase.passed).toBe(true);
    expect(row(nanBase, 'roc_auc').reason).toContain('skipped');
  });

  it('lists unruled metrics for information; they never fail the gate', () => {
    const report = compareMetrics(
      { accuracy: 0.9, mcc: 0.1 },
      { accuracy: 0.9, mcc: 0.8 },
      { accuracy: { min: 0.5 } },
    );
    expect(report.passed).toBe(true);
    expect(row(report, 'mcc')).toMatchObject({ rule: '', passed: true, baseline: 0.8 });
  });
});

describe('rendering', () => {
  const report = compareMetrics(
    { accuracy: 0.91, log_loss: 0.4, mcc: 0.5 },
    { accuracy: 0.95, log_loss: 0.3, mcc: 0.5 },
    {
      accuracy: { min: 0.9, max_regression: 0.02 },
      log_loss: { max: 1 },
    },
  );

  it('Markdown carries verdict, deltas, ✅/❌ and the data hashes of both runs', () => {
    const md = renderCompareMarkdown(report, {
      model: 'iris-rf',
      baseRef: 'main',
      currentDataHashes: { iris: 'b3:aaaa', extra: 'b3:cccc' },
      baselineDataHashes: { iris: 'b3:bbbb' },
    });
    expect(md).toContain('❌ Cairn gate for `iris-rf`: failed (1 rule)');
    expect(md).toContain('Compared with the metrics committed at `main`.');
    expect(md).toMatch(
      /\| ❌ \| accuracy \| 0\.9100 \| 0\.9500 \| -0\.0400 \| min 0\.9, max_regression 0\.02 \| dropped by 0\.0400/,
    );
    expect(md).toMatch(/\| ✅ \| log_loss \| 0\.4000 \| 0\.3000 \| \+0\.1000 \| max 1, lower is better \|/);
    expect(md).toContain('| iris | `b3:aaaa` | `b3:bbbb` | changed |');
    expect(md).toContain('| extra | `b3:cccc` | — | new |');
    // every table row has the same number of cells
    const table = md
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('| ') &&
          l.includes('metric') === false &&
          !l.includes('dataset') &&
          l.split('|').length > 6,
      );
    for (const line of table) expect(line.split(' | ').length).toBe(7);
  });

  it('first run Markdown says so; terminal table aligns and states the verdict', () => {
    const first = compareMetrics({ accuracy: 0.97 }, undefined, {
      accuracy: { min: 0.9, max_regression: 0.02 },
    });
    expect(renderCompareMarkdown(first, { model: 'm', baseRef: 'main' })).toContain(
      'No baseline metrics at `main` (first run)',
    );
    const text = renderCompareTable(report);
    expect(text).toMatch(/^FAIL\s+accuracy\s+0\.9100\s+0\.9500\s+-0\.0400/m);
    expect(text).toContain('gate FAILED: accuracy');
    expect(renderCompareTable(first)).toContain('gate passed');
  });
});
