export type {
  ColumnDistribution,
  ColumnSpec,
  ColumnType,
  DataFormat,
  DatasetSpec,
  PiiKind,
  RuleKind,
  Severity,
  SeverityLevel,
} from './spec';
export { RULE_KINDS, PII_KINDS } from './spec';
export { parseDatasetSpec, loadDatasetSpec, datasetSpecSchema, datasetSpecSchemaPath } from './parse-spec';
export {
  validateDataset,
  type ValidationReport,
  type Violation,
  type PiiFinding,
  type ColumnStats,
  type ValidateOptions,
} from './validate';
export { renderReportMarkdown, writeValidationReports, type MarkdownContext } from './report-markdown';
export { inferColumns, type InferOptions } from './infer';
export { scanPii, maskPii, luhnValid, ibanValid, type PiiMatch } from './pii';
export {
  anonymizeDataset,
  createRowAnonymizer,
  type AnonymizeOptions,
  type AnonymizeResult,
} from './anonymize';
export { compileWholeMatch, linearRegExp } from './linear-regexp';
export {
  synthesizeTable,
  serializeSyntheticTable,
  writeSyntheticDataset,
  type SynthesizeOptions,
  type SyntheticTable,
  type SyntheticRow,
  type SyntheticValue,
} from './synthesize';
