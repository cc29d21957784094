export { mulberry32, shuffleInPlace } from './random';
export { trainTestSplit, stratifiedKFold } from './split';
export { summarizeFolds } from './summary';
export {
  type GateRule,
  type CompareRow,
  type CompareReport,
  type CompareContext,
  higherIsBetter,
  compareMetrics,
  renderCompareMarkdown,
  renderCompareTable,
} from './gate';
