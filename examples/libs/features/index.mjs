// Shared feature code for the example models. It runs at training time only: what it
// computes is saved in each model's artifact, so artifacts never import this library.

/**
 * Mean and population standard deviation of a numeric column, ignoring missing values
 * (null). A constant column gets std 1, so standardizing it yields 0 instead of NaN.
 */
export function fitStandardizer(values) {
  const present = values.filter((value) => value !== null);
  const count = Math.max(present.length, 1);
  const mean = present.reduce((sum, value) => sum + value, 0) / count;
  const variance = present.reduce((sum, value) => sum + (value - mean) ** 2, 0) / count;
  return { mean, std: Math.sqrt(variance) || 1 };
}
