import { experimentError } from '../errors';
import { mulberry32 } from '@cairn/evaluation';
import { normal, phi } from './random';
import { gridPoints, snap, type ParamSpec, type Params, type SearchSpace } from './space';

/** A trial as samplers see it: its params and, once finished, its objective value. */
export interface TrialState {
  params: Params;
  state: 'complete' | 'running' | 'pruned' | 'failed';
  /** The objective (complete trials; a pruned trial may carry its last intermediate value). */
  value?: number;
}

export interface Sampler {
  /** Params for the next trial given every trial so far (finished and running). */
  suggest(history: readonly TrialState[]): Params;
}

export interface TpeOptions {
  /** Random trials before TPE takes over (Optuna: 10). */
  startupTrials?: number;
  /** Candidates drawn from l(x) per suggestion, the best l/g kept (Optuna: 24). */
  candidates?: number;
  /** One joint Parzen estimator over all params instead of one per param (Optuna: false). */
  multivariate?: boolean;
  /** Running trials count as the worst value so parallel workers spread out (Optuna: false; Cairn: true). */
  constantLiar?: boolean;
  /** Weight of the prior kernel (Optuna: 1.0). */
  priorWeight?: number;
}

export type Direction = 'minimize' | 'maximize';

type NumericSpec = Exclude<ParamSpec, { type: 'categorical' }>;

function drawRandom(spec: ParamSpec, uniform: () => number): Params[string] {
  if (spec.type === 'categorical') return spec.choices[Math.floor(uniform() * spec.choices.length)]!;
  if (spec.log) {
    // ints on a log scale span [low - ½, high + ½] so the end values are as likely as their neighbours
    const low = Math.log(spec.type === 'int' ? spec.low - 0.5 : spec.low);
    const high = Math.log(spec.type === 'int' ? spec.high + 0.5 : spec.high);
    return snap(spec, Math.exp(low + uniform() * (high - low)));
  }
  const step = spec.step ?? (spec.type === 'int' ? 1 : 0);
  return snap(spec, spec.low - step / 2 + uniform() * (spec.high - spec.low + step));
}

/** Independent uniform draws (log-uniform on log-scaled params). */
export function randomSampler(space: SearchSpace, seed: number): Sampler {
  const uniform = mulberry32(seed);
  return {
    suggest: () =>
      Object.fromEntries(Object.entries(space).map(([name, spec]) => [name, drawRandom(spec, uniform)])),
  };
}

/** Every grid point once, in a seeded shuffled order; past the end, the grid repeats. */
export function gridSampler(space: SearchSpace, seed: number, source: string): Sampler & { size: number } {
  const points = gridPoints(space, source);
  const uniform = mulberry32(seed);
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [points[i], points[j]] = [points[j]!, points[i]!];
  }
  const key = (params: Params) => JSON.stringify(Object.keys(space).map((name) => params[name]));
  return {
    size: points.length,
    suggest(history) {
      const seen = new Set(history.map((trial) => key(trial.params)));
      return points.find((point) => !seen.has(key(point))) ?? points[history.length % points.length]!;
    },
  };
}

/** Optuna's default_gamma: how many of the n trials are "good". */
export function tpeGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default_weights: flat for the 25 newest, older ones ramped down linearly. */
export function tpeWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return Array.from({ length: n }, () => 1);
  const ramp = Array.from({ length: n - 25 }, (_, i) =>
    n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26),
  );
  return [...ramp, ...Array.from({ length: 25 }, () => 1)];
}

/** One dimension of a Parzen estimator, in its transformed space (log for log-scaled params). */
type Kernels =
  | {
      kind: 'numeric';
      mus: number[];
      sigmas: number[];
      low: number;
      high: number;
      spec: NumericSpec;
      log: boolean;
    }
  | { kind: 'categorical'; probabilities: number[][]; spec: Extract<ParamSpec, { type: 'categorical' }> };

interface Estimator {
  /** Mixture weights, one per kernel (observations, then the prior). */
  weights: number[];
  dims: [string, Kernels][];
}

function numericBounds(spec: NumericSpec): { low: number; high: number; log: boolean } {
  const step = spec.step ?? (spec.type === 'int' ? 1 : 0);
  // Optuna's treatment of stepped params: the domain widened by half a step at each end.
  if (spec.log)
    return { low: Math.log(spec.low - step / 2), high: Math.log(spec.high + step / 2), log: true };
  return { low: spec.low - step / 2, high: spec.high + step / 2, log: false };
}

/**
 * A Parzen estimator as Optuna builds it: one kernel per observation plus a
 * prior kernel (centre of the range, σ = the range), weights from
 * tpeWeights; univariate σ from the distances to the neighbouring kernels
 * (endpoints ignored), multivariate σ = 0.2·n^(−1/(d+4))·range; σ clipped to
 * [range / min(100, n + 2), range] ("magic clip").
 */
function buildEstimator(
  space: [string, ParamSpec][],
  observations: Params[],
  weights: number[],
  options: Required<TpeOptions>,
): Estimator {
  const n = observations.length;
  const mixture = [...weights, options.priorWeight];
  const total = mixture.reduce((a, b) => a + b, 0);
  const dims = space.map(([name, spec]): [string, Kernels] => {
    if (spec.type === 'categorical') {
      const k = spec.choices.length;
      const probabilities = observations.map((params) => {
        const row = Array.from({ length: k }, () => options.priorWeight / (n + 1));
        const index = spec.choices.findIndex((choice) => choice === params[name]);
        if (index >= 0) row[index]! += 1;
        const sum = row.reduce((a, b) => a + b, 0);
        return row.map((p) => p / sum);
      });
      probabilities.push(Array.from({ length: k }, () => 1 / k));
      return [name, { kind: 'categorical', probabilities, spec }];
    }
    const { low, high, log } = numericBounds(spec);
    const range = high - low;
    const mus = observations.map((params) =>
      log ? Math.log(params[name] as number) : (params[name] as number),
    );
    let sigmas: number[];
    if (options.multivariate) {
      const sigma = 0.2 * Math.max(n, 1) ** (-1 / (space.length + 4)) * range;
      sigmas = mus.map(() => sigma);
    } else {
      const withPrior = [...mus, (low + high) / 2];
      const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a]! - withPrior[b]!);
      const sorted = [low, ...order.map((i) => withPrior[i]!), high];
      const sortedSigmas = order.map((_, j) =>
        Math.max(sorted[j + 1]! - sorted[j]!, sorted[j + 2]! - sorted[j + 1]!),
      );
      if (sorted.length >= 4) {
        sortedSigmas[0] = sorted[2]! - sorted[1]!;
        sortedSigmas[sortedSigmas.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
      }
      const byIndex: number[] = [];
      order.forEach((original, j) => (byIndex[original] = sortedSigmas[j]!));
      sigmas = byIndex.slice(0, n);
    }
    const minSigma = range / Math.min(100, 1 + n + 1);
    sigmas = sigmas.map((sigma) => Math.min(range, Math.max(minSigma, sigma)));
    return [
      name,
      { kind: 'numeric', mus: [...mus, (low + high) / 2], sigmas: [...sigmas, range], low, high, spec, log },
    ];
  });
  return { weights: mixture.map((w) => w / total), dims };
}

function sampleEstimator(estimator: Estimator, uniform: () => number): Params {
  let pick = uniform();
  let kernel = 0;
  while (kernel < estimator.weights.length - 1 && pick >= estimator.weights[kernel]!)
    pick -= estimator.weights[kernel++]!;
  const params: Params = {};
  for (const [name, dim] of estimator.dims) {
    if (dim.kind === 'categorical') {
      let u = uniform();
      const row = dim.probabilities[kernel]!;
      let index = 0;
      while (index < row.length - 1 && u >= row[index]!) u -= row[index++]!;
      params[name] = dim.spec.choices[index]!;
      continue;
    }
    // truncated normal by rejection: every kernel centre lies inside [low, high], so at least ~half the draws land
    let x = dim.mus[kernel]!;
    for (let attempt = 0; attempt < 100; attempt++) {
      const draw = dim.mus[kernel]! + dim.sigmas[kernel]! * normal(uniform);
      if (draw >= dim.low && draw <= dim.high) {
        x = draw;
        break;
      }
    }
    params[name] = snap(dim.spec, dim.log ? Math.exp(x) : x);
  }
  return params;
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0));
}

function logDensity(estimator: Estimator, params: Params): number {
  const perKernel = estimator.weights.map((weight) => Math.log(weight));
  for (const [name, dim] of estimator.dims) {
    for (let k = 0; k < perKernel.length; k++) {
      if (dim.kind === 'categorical') {
        const index = dim.spec.choices.findIndex((choice) => choice === params[name]);
        perKernel[k]! += Math.log(dim.probabilities[k]![index] ?? 0);
        continue;
      }
      const raw = params[name] as number;
      const x = dim.log ? Math.log(raw) : raw;
      const mu = dim.mus[k]!;
      const sigma = dim.sigmas[k]!;
      const mass = phi((dim.high - mu) / sigma) - phi((dim.low - mu) / sigma);
      const z = (x - mu) / sigma;
      perKernel[k]! +=
        -0.5 * z * z - Math.log(sigma * Math.sqrt(2 * Math.PI)) - Math.log(Math.max(mass, 1e-12));
    }
  }
  return logSumExp(perKernel);
}

/**
 * Tree-structured Parzen Estimator with Optuna's defaults (see
 * docs/experiments.md): random for the first `startupTrials`, then split the
 * finished trials into the best γ(n) and the rest, fit l(x) and g(x), draw
 * `candidates` points from l and keep the one with the largest
 * log l(x) − log g(x). With `constantLiar`, running trials join the rest
 * (as if they had the worst value), so parallel workers do not all pick the
 * same region.
 */
export function tpeSampler(
  space: SearchSpace,
  seed: number,
  direction: Direction,
  tpe: TpeOptions = {},
): Sampler {
  const options: Required<TpeOptions> = {
    startupTrials: tpe.startupTrials ?? 10,
    candidates: tpe.candidates ?? 24,
    multivariate: tpe.multivariate ?? false,
    constantLiar: tpe.constantLiar ?? true,
    priorWeight: tpe.priorWeight ?? 1,
  };
  const uniform = mulberry32(seed);
  const dims = Object.entries(space);
  return {
    suggest(history) {
      const finished = history.filter(
        (trial) => (trial.state === 'complete' || trial.state === 'pruned') && Number.isFinite(trial.value),
      );
      if (finished.length < options.startupTrials) {
        return Object.fromEntries(dims.map(([name, spec]) => [name, drawRandom(spec, uniform)]));
      }
      // Pruned trials rank after every complete one (Optuna ranks them by their last value, behind the completes).
      const score = (trial: TrialState) => (direction === 'minimize' ? trial.value! : -trial.value!);
      const ranked = [...finished].sort(
        (a, b) => Number(a.state === 'pruned') - Number(b.state === 'pruned') || score(a) - score(b),
      );
      const nBelow = tpeGamma(finished.length);
      const below = ranked.slice(0, nBelow);
      const above = ranked.slice(nBelow);
      if (options.constantLiar) above.push(...history.filter((trial) => trial.state === 'running'));
      // the weights follow trial age (history order), as in Optuna
      const age = new Map(history.map((trial, index) => [trial, index]));
      const byAge = (group: TrialState[]) => [...group].sort((a, b) => age.get(a)! - age.get(b)!);
      const groups = options.multivariate ? [dims] : dims.map((dim) => [dim]);
      const params: Params = {};
      for (const group of groups) {
        const belowObs = byAge(below).map((trial) => trial.params);
        const aboveObs = byAge(above).map((trial) => trial.params);
        const l = buildEstimator(group, belowObs, tpeWeights(belowObs.length), options);
        const g = buildEstimator(group, aboveObs, tpeWeights(aboveObs.length), options);
        let best: Params | undefined;
        let bestScore = -Infinity;
        for (let c = 0; c < options.candidates; c++) {
          const candidate = sampleEstimator(l, uniform);
          const value = logDensity(l, candidate) - logDensity(g, candidate);
          if (value > bestScore || best === undefined) {
            best = candidate;
            bestScore = value;
          }
        }
        Object.assign(params, best);
      }
      return params;
    },
  };
}

export type Method = 'grid' | 'random' | 'tpe';

export function createSampler(
  method: Method,
  space: SearchSpace,
  options: { seed: number; direction: Direction; tpe?: TpeOptions; source: string },
): Sampler {
  switch (method) {
    case 'grid':
      return gridSampler(space, options.seed, options.source);
    case 'random':
      return randomSampler(space, options.seed);
    case 'tpe':
      return tpeSampler(space, options.seed, options.direction, options.tpe);
    default:
      throw experimentError('TUNE_SPACE_INVALID', `${options.source}: unknown method "${String(method)}"`, {
        file: options.source,
        field: '/tune/method',
      });
  }
}
