import { describe, expect, it } from 'vitest';
import { dashboardUid, DEFAULT_THRESHOLDS, monitoredModelFromConfig, resolveThresholds } from './model';

describe('resolveThresholds', () => {
  it('fills defaults and keeps given values', () => {
    expect(resolveThresholds(undefined)).toEqual(DEFAULT_THRESHOLDS);
    expect(resolveThresholds({ latency_p99_ms: 100, staleness_days: 7 })).toEqual({
      ...DEFAULT_THRESHOLDS,
      latency_p99_ms: 100,
      staleness_days: 7,
    });
    // An absent key (undefined after a spread of an optional override) keeps its default.
    expect(resolveThresholds({ error_rate: undefined })).toEqual(DEFAULT_THRESHOLDS);
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
  });
});
