import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { buildDashboard } from './dashboard';
import type { MonitoredModel, MonitoringConfig } from './model';
import { buildRuleTests } from './rule-tests';
import { buildPrometheusRules, type RuleOptions } from './rules';

export const BUNDLE_FILES = {
  dashboard: 'dashboard.json',
  rules: 'rules.yml',
  ruleTests: 'rules.test.yml',
} as const;

/**
 * Writes a model's monitoring configuration into `outDir`: `dashboard.json`
 * (Grafana), `rules.yml` (Prometheus) and `rules.test.yml` (promtool unit
 * tests for those rules). Each file is written atomically; the output depends
 * only on the inputs, so the files are cacheable build outputs.
 */
export async function writeMonitoringBundle(
  outDir: string,
  model: MonitoredModel,
  thresholds?: MonitoringConfig,
  options: RuleOptions = {},
): Promise<{ files: string[] }> {
  const merged = { ...model, thresholds: { ...model.thresholds, ...thresholds } };
  const files = {
    [BUNDLE_FILES.dashboard]: `${JSON.stringify(buildDashboard(merged), null, 2)}\n`,
    [BUNDLE_FILES.rules]: stringify(buildPrometheusRules(merged, undefined, options), { lineWidth: 0 }),
    [BUNDLE_FILES.ruleTests]: stringify(
      buildRuleTests(merged, undefined, { ...options, ruleFile: BUNDLE_FILES.rules }),
      { lineWidth: 0 },
    ),
  };
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(outDir, name);
    await writeFileAtomic(path, text);
    written.push(path);
  }
  return { files: written };
}
