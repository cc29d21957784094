import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { normal } from '../test/scipy-oracle';
import { columnSamples, defaultTest, detectDrift } from './detect';
import type { Row } from './detect';
import { renderDriftHtml } from './html';
import { ks2samp } from './ks';
import { chiSquare, jensenShannon } from './distances';
import { wassersteinNormalized } from './wasserstein';
import { seededRandom } from '../../../tools/test-support/src';

function rows(n: number, seed: number, shift: number): Row[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    age: String(Math.round(normal(random, 40 + shift * 10, 10) * 10) / 10),
    income: normal(random, 1000 * (1 + shift), 100),
    color: ['red', 'green', 'blue'][Math.floor(random() ** (1 + shift) * 3)] as string,
    member: random() < 0.3 + shift * 0.3 ? 'yes' : 'no',
    note: i % 10 === 0 ? '' : 'x',
  }));
}

describe('defaultTest (Evidently 0.4 rules)', () => {
  const numeric = (n: number, distinct: number): number[] =>
    Array.from({ length: n }, (_, i) => i % distinct);
  it('small reference: KS for numerical with > 5 distinct values', () => {
    expect(defaultTest({ numerical: true, reference: numeric(1000, 6), current: numeric(10, 6) })).toBe('ks');
  });
  it('small reference: chi-square for <= 5 distinct values, z-test when binary', () => {
    expect(defaultTest({ numerical: true, reference: numeric(100, 5), current: numeric(10, 5) })).toBe(
      'chisquare',
    );
    expect(defaultTest({ numerical: false, reference: ['a', 'b', 'c'], current: ['a'] })).toBe('chisquare');
    expect(defaultTest({ numerical: false, reference: ['a', 'b'], current: ['a'] })).toBe('ztest');
  });
  it('large reference: normalized Wasserstein for numerical, Jensen-Shannon otherwise', () => {
    expect(defaultTest({ numerical: true, reference: numeric(1001, 50), current: numeric(10, 6) })).toBe(
      'wasserstein_norm',
    );
    expect(defaultTest({ numerical: true, reference: numeric(1001, 3), current: numeric(10, 3) })).toBe(
      'jensenshannon',
    );
    expect(defaultTest({ numerical: false, reference: numeric(1001, 50).map(String), current: ['1'] })).toBe(
      'jensenshannon',
    );
  });
});

describe('detectDrift', () => {
  const reference = rows(500, 1, 0);
  const same = rows(400, 2, 0);
  const shifted = rows(400, 3, 1);

  it('reports each column with the contract shape and no drift on same-distribution data', () => {
    const report = detectDrift(reference, same);
    expect(Object.keys(report.columns)).toEqual(['age', 'income', 'color', 'member', 'note']);
    expect(report.columns.age).toMatchObject({ test: 'ks', threshold: 0.05 });
    expect(Object.keys(report.columns.age ?? {}).sort()).toEqual([
      'drift',
      'p_value',
      'statistic',
      'test',
      'threshold',
    ]);
    expect(report.columns.color?.test).toBe('chisquare');
    expect(report.columns.member?.test).toBe('ztest');
    expect(report.drift).toBe(false);
    expect(report.share).toBeLessThan(0.5);
  });

  it('finds drift on shifted data and computes the statistics of the underlying tests', () => {
    const report = detectDrift(reference, shifted);
    expect(report.drift).toBe(true);
    const age = columnSamples(reference, shifted, 'age');
    const ks = ks2samp(age.reference as number[], age.current as number[]);
    expect(report.columns.age).toEqual({
      test: 'ks',
      statistic: ks.statistic,
      p_value: ks.pValue,
      threshold: 0.05,
      drift: ks.pValue < 0.05,
    });
    const color = columnSamples(reference, shifted, 'color');
    expect(report.columns.color?.p_value).toBe(chiSquare(color.reference, color.current).pValue);
    const drifted = Object.values(report.columns).filter((c) => c.drift).length;
    expect(report.share).toBe(drifted / 5);
  });

  it('drops missing cells and infers numerical columns', () => {
    const ref: Row[] = [{ a: '1' }, { a: '' }, { a: '2.5' }, { a: null }, { a: 3 }];
    const samples = columnSamples(ref, [{ a: '4' }], 'a');
    expect(samples).toEqual({ numerical: true, reference: [1, 2.5, 3], current: [4] });
    expect(columnSamples([{ a: '1' }, { a: 'x' }], [{ a: '2' }], 'a').numerical).toBe(false);
  });

  it('uses per-column tests and thresholds, a global test and the share threshold', () => {
    const report = detectDrift(reference, shifted, {
      columns: ['income', 'color'],
      test: 'jensenshannon',
      tests: { income: { test: 'wasserstein_norm', threshold: 100 } },
      shareThreshold: 0.5,
    });
    const income = columnSamples(reference, shifted, 'income');
    expect(report.columns.income).toEqual({
      test: 'wasserstein_norm',
      statistic: wassersteinNormalized(income.reference as number[], income.current as number[]),
      threshold: 100,
      drift: false,
    });
    const color = columnSamples(reference, shifted, 'color');
    expect(report.columns.color?.statistic).toBe(jensenShannon(color.reference, color.current));
    expect(report.columns.color?.test).toBe('jensenshannon');
    expect(report.share).toBe(report.columns.color?.drift ? 0.5 : 0);
  });

  it('names an unknown column and lists the valid ones', () => {
    try {
      detectDrift(reference, same, { columns: ['nope'] });
      expect.unreachable();
    } catch (error) {
      expect(isCairnError(error, 'DRIFT_UNKNOWN_COLUMN')).toBe(true);
      expect((error as Error).message).toContain('"nope"');
      expect((error as Error).message).toContain('"income"');
    }
  });

  it('refuses a numerical test on a categorical column', () => {
    expect(() => detectDrift(reference, same, { columns: ['color'], test: 'ks' })).toThrow(
      expect.objectContaining({ code: 'DRIFT_TEST_NOT_APPLICABLE' }) as Error,
    );
  });
});

describe('renderDriftHtml', () => {
  it('renders a self-contained page with one bar per column', () => {
    const report = detectDrift(rows(300, 5, 0), rows(300, 6, 1));
    const html = renderDriftHtml(report, { reference: 'ref.csv', current: 'cur<new>.csv' });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.match(/<svg /g)?.length).toBe(Object.keys(report.columns).length);
    expect(html).toContain('cur&lt;new&gt;.csv');
    expect(html).toContain(report.drift ? 'Dataset drift detected' : 'No dataset drift');
  });
});
