import { createHash } from 'node:crypto';
import { cairnError } from '@cairn/errors';

/**
 * How requests are shared between the champion and a challenger:
 * - `canary`: the challenger answers `weight`% of requests (an exact stride, not a coin: after n requests it has
 *   answered ⌊n·weight/100⌋);
 * - `ab`: sticky by a request key (a header, or a field of the first row): the same key always gets the same
 *   version, `weight`% of keys the challenger; a request without the key gets the champion;
 * - `shadow`: the champion answers every request; the challenger gets a copy whose answer is discarded.
 */
export type TrafficPolicy =
  | { mode: 'canary'; weight: number }
  | { mode: 'ab'; weight: number; header?: string; field?: string }
  | { mode: 'shadow' };

export type LaneName = 'champion' | 'challenger';

/** Checks a policy given by a user (CLI flags, config); `source` names where it came from. */
export function parseTrafficPolicy(value: unknown, source = 'traffic'): TrafficPolicy {
  const invalid = (problem: string) =>
    cairnError('SERVE_TRAFFIC_INVALID', `${source}: ${problem}`, {
      data: { source },
      hint: 'use {"mode":"canary","weight":10}, {"mode":"ab","weight":50,"header":"x-user"} or {"mode":"shadow"}',
    });
  if (typeof value !== 'object' || value === null) throw invalid('must be an object');
  const policy = value as Record<string, unknown>;
  const weight = () => {
    const w = policy.weight;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100)
      throw invalid(`weight must be an integer percentage 0..100, got ${JSON.stringify(w)}`);
    return w;
  };
  switch (policy.mode) {
    case 'canary':
      return { mode: 'canary', weight: weight() };
    case 'ab': {
      const { header, field } = policy;
      if ((header === undefined) === (field === undefined))
        throw invalid('ab needs exactly one sticky key: header or field');
      for (const key of [header, field])
        if (key !== undefined && (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(key)))
          throw invalid(
            `sticky key must be 1-64 letters, digits, '_', '.' or '-', got ${JSON.stringify(key)}`,
          );
      return {
        mode: 'ab',
        weight: weight(),
        ...(header ? { header: (header as string).toLowerCase() } : { field: field as string }),
      };
    }
    case 'shadow':
      return { mode: 'shadow' };
    default:
      throw invalid(`mode must be canary, ab or shadow, got ${JSON.stringify(policy.mode)}`);
  }
}

/** Bucket 0..99 of a sticky key. */
export function stickyBucket(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % 100;
}

/** Decides which lane answers a request; see TrafficPolicy. */
export class TrafficRouter {
  private served = 0;

  constructor(readonly policy: TrafficPolicy) {}

  /** The lane that answers, and whether the challenger gets a discarded copy. */
  route(stickyKey: string | undefined): { answer: LaneName; mirror: boolean } {
    switch (this.policy.mode) {
      case 'shadow':
        return { answer: 'champion', mirror: true };
      case 'ab':
        return {
          answer:
            stickyKey !== undefined && stickyBucket(stickyKey) < this.policy.weight
              ? 'challenger'
              : 'champion',
          mirror: false,
        };
      case 'canary': {
        const n = this.served++;
        const w = this.policy.weight;
        return {
          answer: Math.floor(((n + 1) * w) / 100) > Math.floor((n * w) / 100) ? 'challenger' : 'champion',
          mirror: false,
        };
      }
    }
  }
}
