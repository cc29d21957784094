/**
 * The drift tests by name, with nothing else: the CLI lists them in its help
 * without loading the statistics (published as `@cairn/drift/test-names`).
 */
export const TEST_NAMES = [
  'ks',
  'chisquare',
  'wasserstein',
  'wasserstein_norm',
  'psi',
  'jensenshannon',
  'ztest',
  'z',
  'hellinger',
  'fisher_exact',
  'g_test',
  'mannw',
  't_test',
  'anderson',
  'cramer_von_mises',
  'ed',
  'es',
  'TVD',
  'empirical_mmd',
  'kl_div',
] as const;

export type TestName = (typeof TEST_NAMES)[number];

export function isTestName(name: string): name is TestName {
  return (TEST_NAMES as readonly string[]).includes(name);
}
