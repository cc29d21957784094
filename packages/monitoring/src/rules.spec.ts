import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMonitoringBundle, BUNDLE_FILES } from './bundle';
import { buildRuleTests } from './rule-tests';
import { ALERTS, buildPrometheusRules, RECORDS, type AlertingRule } from './rules';
import { IRIS, promtool, tempDir } from '../test/helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const variants = [
  { label: 'iris defaults', model: IRIS },
  {
    label: 'binary, custom thresholds, no labels',
    model: {
      project: 'fraud',
      features: ['amount'],
      thresholds: {
        latency_p99_ms: 40,
        error_rate: 0.2,
        drift_threshold: 0.3,
        staleness_days: 2,
        prediction_shift: 0.05,
      },
    },
  },
  {
    label: 'many classes, quoted name',
    model: { project: 'wine', name: 'wine "red"', labels: ['a', 'b', 'c', 'd', 'e'], features: [] },
  },
];

describe('buildPrometheusRules + buildRuleTests, checked by promtool', () => {
  it.each(variants)('$label: promtool check rules and promtool test rules pass', async ({ model }) => {
    const dir = join(tmp.dir, model.project);
    const { files } = await writeMonitoringBundle(dir, model);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(Object.values(BUNDLE_FILES).sort());
    const check = promtool(['check', 'rules', join(dir, BUNDLE_FILES.rules)]);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toMatch(/SUCCESS: 15 rules found/);
    const test = promtool(['test', 'rules', BUNDLE_FILES.ruleTests], dir);
    expect(test.status, test.output).toBe(0);
    // Every alert has a firing test (expecting at least one alert) and a quiet one.
    const tests = (
      parse(readFileSync(join(dir, BUNDLE_FILES.ruleTests), 'utf8')) as ReturnType<typeof buildRuleTests>
    ).tests;
    for (const alert of Object.values(ALERTS)) {
      const cases = tests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === alert);
      expect(cases.map((c) => c.exp_alerts.length > 0).sort()).toEqual([false, true]);
    }
  });

  it('the generated tests fail against rules with other thresholds (they are not vacuous)', () => {
    const dir = join(tmp.dir, 'mismatch');
    const strict = {
      latency_p99_ms: 250,
      error_rate: 0.01,
      drift_threshold: 0.1,
      staleness_days: 30,
      prediction_shift: 0.15,
    };
    const loose = {
      latency_p99_ms: 100_000,
      error_rate: 0.9,
      drift_threshold: 5,
      staleness_days: 3650,
      prediction_shift: 0.99,
    };
    const rules = buildPrometheusRules(IRIS, loose);
    const tests = buildRuleTests(IRIS, strict);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rules.yml'), stringify(rules));
    writeFileSync(join(dir, 'rules.test.yml'), stringify(tests));
    const result = promtool(['test', 'rules', 'rules.test.yml'], dir);
    expect(result.status).toBe(1);
    for (const alert of Object.values(ALERTS)) expect(result.output).toContain(alert);
  });

  it('takes thresholds from model.json monitoring, explicit ones first, then defaults', () => {
    const rules =
      buildPrometheusRules({ ...IRIS, thresholds: { latency_p99_ms: 500 } }, { error_rate: 0.05 }).groups[0]
        ?.rules ?? [];
    const expr = (alert: string) =>
      (rules.find((r) => (r as AlertingRule).alert === alert) as AlertingRule).expr;
    expect(expr(ALERTS.latency)).toBe(`${RECORDS.latencyP99}{model="iris"} > 0.5`);
    expect(expr(ALERTS.errorRate)).toBe(`${RECORDS.errorRatio}{model="iris"} > 0.05`);
    expect(expr(ALERTS.staleness)).toBe(`${RECORDS.trainingAge}{model="iris"} > ${30 * 86400}`);
    expect(expr(ALERTS.drift)).toMatch(/> 0\.1$/);
  });
});
