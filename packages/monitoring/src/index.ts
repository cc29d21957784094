export {
  DEFAULT_THRESHOLDS,
  dashboardUid,
  monitoredModelFromConfig,
  resolveThresholds,
  type MonitoredModel,
  type MonitoringConfig,
  type MonitoringThresholds,
} from './model';
export { buildDashboard, DATASOURCE_VARIABLE } from './dashboard';
export {
  ALERTS,
  buildPrometheusRules,
  DEFAULT_ALERT_FOR,
  RECORDS,
  type AlertingRule,
  type AlertName,
  type RecordingRule,
  type RuleGroup,
  type RuleOptions,
} from './rules';
export {
  buildRuleTests,
  type ExpectedAlert,
  type InputSeries,
  type RuleTest,
  type RuleTestFile,
} from './rule-tests';
export { BUNDLE_FILES, writeMonitoringBundle } from './bundle';
export { publishDashboard, type PublishOptions, type PublishResult } from './publish';
export { CANARY_VERSION_ARG, canaryChecks, type CanaryCheck, type CanaryCheckOptions } from './analysis';
