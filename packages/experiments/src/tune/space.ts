import { experimentError } from '../errors';

/** One dimension of a search space, as an experiment's `tune.space` declares it. */
export type ParamSpec =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: (string | number | boolean | null)[] };

export type SearchSpace = Record<string, ParamSpec>;
export type ParamValue = string | number | boolean | null;
export type Params = Record<string, ParamValue>;

/**
 * Checks what a schema cannot: bounds in order, positive bounds on a log
 * scale, a step that divides the range. Names the field.
 */
export function checkSpace(space: SearchSpace, source: string): void {
  const fail = (name: string, problem: string) =>
    experimentError(
      'TUNE_SPACE_INVALID',
      `${source}: tune.space.${name} ${problem}`,
      { file: source, field: `/tune/space/${name}` },
      'float/int: {low < high, log: low > 0, step > 0}; categorical: {choices: [at least one]}',
    );
  const names = Object.keys(space);
  if (names.length === 0) throw fail('', 'is empty: declare at least one parameter');
  for (const [name, spec] of Object.entries(space)) {
    if (spec.type === 'categorical') {
      if (spec.choices.length === 0) throw fail(name, 'has no choices');
      continue;
    }
    if (!(spec.low < spec.high)) throw fail(name, `has low ${spec.low} ≥ high ${spec.high}`);
    if (spec.log && spec.low <= 0) throw fail(name, `is log-scaled but low is ${spec.low} (must be > 0)`);
    if (spec.step !== undefined && !(spec.step > 0)) throw fail(name, `has step ${spec.step} (must be > 0)`);
    if (spec.type === 'int' && (!Number.isInteger(spec.low) || !Number.isInteger(spec.high))) {
      throw fail(name, 'is an int parameter with non-integer bounds');
    }
    if (spec.log && spec.step !== undefined && spec.type === 'float') {
      throw fail(name, 'cannot be both log-scaled and stepped');
    }
  }
}

/** Every point of a grid over the space (ints and stepped floats by their step, categoricals by choice), in a fixed order. */
export function gridPoints(space: SearchSpace, source: string): Params[] {
  const axes = Object.entries(space).map(([name, spec]) => {
    if (spec.type === 'categorical') return [name, spec.choices] as const;
    const step = spec.step ?? (spec.type === 'int' ? 1 : undefined);
    if (step === undefined) {
      throw experimentError(
        'TUNE_SPACE_INVALID',
        `${source}: tune.space.${name} is a continuous float: a grid needs a step`,
        { file: source, field: `/tune/space/${name}/step` },
        'give the float a step, or use method random or tpe',
      );
    }
    const values: number[] = [];
    for (let k = 0; spec.low + k * step <= spec.high + 1e-12; k++) {
      values.push(Number((spec.low + k * step).toPrecision(12)));
      if (values.length > 100_000) break;
    }
    return [name, values] as const;
  });
  let points: Params[] = [{}];
  for (const [name, values] of axes) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [name]: value })));
    if (points.length > 1_000_000) {
      throw experimentError(
        'TUNE_SPACE_INVALID',
        `${source}: the grid has more than 1,000,000 points`,
        { file: source, field: '/tune/space' },
        'coarsen the steps or use method random or tpe',
      );
    }
  }
  return points;
}

/** Snaps a number onto the parameter's domain: ints rounded to their step, everything clipped into [low, high]. */
export function snap(spec: Exclude<ParamSpec, { type: 'categorical' }>, value: number): number {
  let snapped = value;
  const step = spec.step ?? (spec.type === 'int' ? 1 : undefined);
  if (step !== undefined) snapped = spec.low + Math.round((value - spec.low) / step) * step;
  snapped = Math.min(spec.high, Math.max(spec.low, snapped));
  return spec.type === 'int' ? Math.round(snapped) : Number(snapped.toPrecision(15));
}
