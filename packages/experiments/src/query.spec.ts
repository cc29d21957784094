import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../tools/test-support/src/index';
import { diffExperiments, diffMarkdown, listCsv, matchesWhere, parseWhere, selectExperiments } from './index';
import type { ExperimentRecord } from './record';

function make(
  id: number,
  params: Record<string, unknown>,
  metrics: Record<string, number>,
  status = 'succeeded',
) {
  return {
    id: String(id).padStart(19, '0'),
    project: id % 2 ? 'iris' : 'wine',
    kind: 'trial',
    status,
    created: new Date(Date.UTC(2024, 0, 1, 0, 0, id)).toISOString(),
    durationMs: id,
    params,
    metrics,
    data: { iris: 'f00' },
    host: 'h',
    artifacts: [],
  } as ExperimentRecord;
}

describe('--where', () => {
  const r = make(1, { lr: 0.1, model: 'forest' }, { accuracy: 0.93, loss: 0.2 });
  const cases: [string, boolean][] = [
    ['metrics.accuracy > 0.9', true],
    ['metrics.accuracy >= 0.93 and metrics.loss < 0.3', true],
    ['metrics.accuracy > 0.95 or params.model = forest', true],
    ["params.model == 'forest' and not status = failed", true],
    ['not (metrics.accuracy > 0.9)', false],
    ['metrics.auc > 0', false],
    ['metrics.auc != 1', true],
    ['project ~ ir', true],
    ['params.lr = 1e-1', true],
    ['params.lr < -1', false],
    ['(metrics.accuracy<0.5 or metrics.loss<0.5) and kind=trial', true],
    ['constructor = x', false],
    ['params.__proto__ != x', true],
    ['params.toString = x', false],
  ];
  it.each(cases)('%s → %s', (expression, expected) => {
    expect(matchesWhere(parseWhere(expression), r)).toBe(expected);
  });

  const bad: [string, number][] = [
    ['', 1],
    ['metrics.accuracy', 17],
    ['metrics.accuracy >', 19],
    ['metrics.accuracy > 0.9 and', 27],
    ['(metrics.a > 1', 15],
    ['metrics.a > 1)', 14],
    ['metrics.a > 1 ; rm -rf /', 15],
    ['process.exit() = 1', 13],
    ['a > `x`', 5],
    ['and > 1', 1],
  ];
  it.each(bad)('refuses %j with EXP_WHERE_INVALID at character %d', (expression, position) => {
    expect(() => parseWhere(expression)).toThrow(
      expect.objectContaining({ code: 'EXP_WHERE_INVALID', data: { expression, position } }),
    );
  });

  it('refuses nesting deep enough to overflow the stack', () => {
    expect(() => parseWhere(`${'('.repeat(500)}a=1${')'.repeat(500)}`)).toThrow(
      expect.objectContaining({ code: 'EXP_WHERE_INVALID' }),
    );
  });
});

describe('selecting, sorting and rendering', () => {
  it('filters, sorts (missing values last either way) and limits like a reference implementation', () => {
    const random = seededRandom(1201);
    const records = Array.from({ length: 300 }, (_, i) =>
      make(
        i,
        { lr: Math.round(random() * 100) / 100 },
        random() < 0.2 ? {} : { accuracy: Math.round(random() * 1000) / 1000 },
        random() < 0.1 ? 'failed' : 'succeeded',
      ),
    );
    const got = selectExperiments(records, {
      project: 'iris',
      where: 'status = succeeded and params.lr < 0.5',
      sortBy: 'accuracy:desc',
      limit: 40,
    });
    const expected = records
      .filter((x) => x.project === 'iris' && x.status === 'succeeded' && (x.params.lr as number) < 0.5)
      .map((x, index) => ({ x, index }))
      .sort((a, b) => {
        const av = a.x.metrics.accuracy;
        const bv = b.x.metrics.accuracy;
        if (av === undefined || bv === undefined)
          return Number(av === undefined) - Number(bv === undefined) || a.index - b.index;
        return bv - av || a.index - b.index;
      })
      .map(({ x }) => x)
      .slice(0, 40);
    expect(got.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    expect(() => selectExperiments(records, { sortBy: 'accuracy:sideways' })).toThrow(
      expect.objectContaining({ code: 'EXP_SORT_INVALID' }),
    );
  });

  it('renders CSV with one column per param, metric and dataset, and a Markdown diff with deltas', () => {
    const a = make(1, { lr: 0.1, note: 'a, "quoted"' }, { accuracy: 0.9 });
    const b = make(2, { lr: 0.2 }, { accuracy: 0.95, f1: 0.9 });
    expect(listCsv([a, b]).split('\n')[0]).toBe(
      'id,project,kind,status,created,durationMs,commit,params.lr,params.note,metrics.accuracy,metrics.f1,data.iris',
    );
    expect(listCsv([a]).split('\n')[1]).toContain(',0.1,"a, ""quoted""",0.9,');
    const rows = diffExperiments(a, b);
    expect(rows.find((row) => row.key === 'accuracy')).toMatchObject({ changed: true, a: 0.9, b: 0.95 });
    expect(rows.find((row) => row.key === 'accuracy')!.delta).toBeCloseTo(0.05, 12);
    expect(rows.find((row) => row.key === 'iris')).toMatchObject({ section: 'data', changed: false });
    const markdown = diffMarkdown(a, b, rows);
    expect(markdown).toContain('| metrics | accuracy | 0.9 | 0.95 | +0.05 |');
    expect(markdown).toContain('| params | note | a, "quoted" |  |  |');
  });
});
