import { describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/errors';
import { dashboardUid, DEFAULT_THRESHOLDS, monitoredModelFromConfig, resolveThresholds } from './model';

function errorOf(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('resolveThresholds', () => {
  it('fills defaults and keeps given values', () => {
    expect(resolveThresholds(undefined)).toEqual(DEFAULT_THRESHOLDS);
    expect(resolveThresholds({ latency_p99_ms: 100, staleness_days: 7 })).toEqual({
      ...DEFAULT_THRESHOLDS,
      latency_p99_ms: 100,
      staleness_days: 7,
    });
  });

  it.each([
    [{ error_rate: 1.5 }, '/monitoring/error_rate'],
    [{ error_rate: 0 }, '/monitoring/error_rate'],
    [{ latency_p99_ms: '250' }, '/monitoring/latency_p99_ms'],
    [{ drift_treshold: 0.1 }, '/monitoring/drift_treshold'],
    [[1], '/monitoring'],
  ])('names the file and the JSON pointer of a bad value (%#)', (raw, pointer) => {
    const error = errorOf(() => resolveThresholds(raw, 'models/iris/model.json'));
    expect(error.code).toBe('MONITORING_CONFIG_INVALID');
    expect(error.data.pointer).toBe(pointer);
    expect(error.message).toContain('models/iris/model.json');
  });
});

describe('dashboardUid', () => {
  it('is stable, a valid Grafana uid, and distinct for distinct projects', () => {
    const names = ['iris', 'Iris', 'iris!', 'a'.repeat(80), `${'a'.repeat(80)}b`, 'penguins-classifier'];
    const uids = names.map(dashboardUid);
    expect(new Set(uids).size).toBe(names.length);
    for (const uid of uids) expect(uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboardUid('iris')).toBe('cairn-iris');
    expect(names.map(dashboardUid)).toEqual(uids);
  });
});

describe('monitoredModelFromConfig', () => {
  it('takes thresholds from model.json and numeric features and labels from the manifest', () => {
    const model = monitoredModelFromConfig(
      'iris',
      { monitoring: { error_rate: 0.05 } },
      {
        manifest: {
          labels: ['a', 'b'],
          features: [
            { name: 'x', type: 'number' },
            { name: 'island', type: 'string' },
          ],
        },
      },
    );
    expect(model).toEqual({
      project: 'iris',
      labels: ['a', 'b'],
      features: ['x'],
      thresholds: { ...DEFAULT_THRESHOLDS, error_rate: 0.05 },
    });
    expect(monitoredModelFromConfig('p', undefined, { name: 'p-prod' })).toEqual({
      project: 'p',
      name: 'p-prod',
      features: [],
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(
      errorOf(() => monitoredModelFromConfig('p', { monitoring: { staleness_days: -1 } }, { file: 'm.json' }))
        .data.pointer,
    ).toBe('/monitoring/staleness_days');
  });
});
