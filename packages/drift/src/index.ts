export { ks2samp, KS_MAX_AUTO_N } from './ks';
export type { KsAlternative, KsMethod, KsResult } from './ks';
export { wasserstein, wassersteinNormalized } from './wasserstein';
export {
  psi,
  jensenShannon,
  jensenShannonDistance,
  chiSquare,
  chisquareFrequencies,
  zTestProportions,
} from './distances';
export type { BinningOptions, TestResult } from './distances';
export { binnedShares, sturgesBinEdges, histogramCounts, fillZeroShares } from './binning';
export type { BinnedShares, Value } from './binning';
export { detectDrift, defaultTest, columnSamples, columnNames, TESTS } from './detect';
export { isTestName, TEST_NAMES, type TestName } from './test-names';
export type {
  Row,
  Rows,
  Cell,
  ColumnDrift,
  DriftReport,
  DetectDriftOptions,
  ColumnTestOptions,
  ColumnSamples,
  TestSpec,
} from './detect';
export { renderDriftHtml } from './html';
export type { DriftHtmlContext } from './html';
export { gammaincc, chi2Sf, ndtr, erfc, binom } from './special/cephes';
export { smirnov, kstwoSf } from './special/kolmogorov';
