import type { Direction } from './samplers';

/** The intermediate values a trial reported, by step. */
export type Curve = ReadonlyMap<number, number>;

export type PrunerSpec =
  | { type: 'median'; startupTrials?: number; warmupSteps?: number }
  | { type: 'successive-halving'; minResource?: number; reductionFactor?: number };

export interface Pruner {
  /**
   * Whether a running trial whose latest report is `value` at `step` should
   * stop, given the curves of the trials that finished before it.
   */
  shouldPrune(step: number, value: number, finished: readonly Curve[]): boolean;
}

const better = (direction: Direction) => (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Optuna's MedianPruner (defaults: 5 startup trials, no warm-up): stop a trial
 * whose value at a step is worse than the median of the finished trials'
 * values at that step.
 */
export function medianPruner(direction: Direction, startupTrials = 5, warmupSteps = 0): Pruner {
  return {
    shouldPrune(step, value, finished) {
      if (finished.length < startupTrials || step < warmupSteps) return false;
      const atStep = finished.map((curve) => curve.get(step)).filter((v): v is number => v !== undefined);
      if (atStep.length === 0) return false;
      const reference = median(atStep);
      return better(direction)(reference, value);
    },
  };
}

/**
 * Optuna's SuccessiveHalvingPruner (defaults: min resource 1, reduction
 * factor 4, min early-stopping rate 0): rungs at steps r·η^k; a trial
 * reaching a rung continues only if its value there is in the best 1/η of
 * the values every trial reported at that rung.
 */
export function successiveHalvingPruner(direction: Direction, minResource = 1, reductionFactor = 4): Pruner {
  return {
    shouldPrune(step, value, finished) {
      let rung = minResource;
      while (rung * reductionFactor <= step) rung *= reductionFactor;
      if (step !== rung) return false;
      const values = [
        ...finished.map((curve) => curve.get(rung)).filter((v): v is number => v !== undefined),
        value,
      ];
      const keep = Math.max(1, Math.floor(values.length / reductionFactor));
      const sorted = values.sort((a, b) => (direction === 'minimize' ? a - b : b - a));
      return !sorted.slice(0, keep).includes(value);
    },
  };
}

export function createPruner(spec: PrunerSpec | undefined, direction: Direction): Pruner | undefined {
  if (!spec) return undefined;
  return spec.type === 'median'
    ? medianPruner(direction, spec.startupTrials, spec.warmupSteps)
    : successiveHalvingPruner(direction, spec.minResource, spec.reductionFactor);
}
