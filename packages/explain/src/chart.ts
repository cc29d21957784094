/**
 * The permutation-importance chart: a Vega-Lite spec (kept next to the SVG so
 * it can be restyled or rendered elsewhere) rendered to a static SVG by Vega
 * without a browser or canvas. Vega is ESM-only, hence the dynamic imports.
 */
import type { FeatureImportance } from './permutation-importance';

export type ImportanceRow = Pick<FeatureImportance, 'feature' | 'importanceMean' | 'importanceStd'>;

export function importanceChartSpec(rows: readonly ImportanceRow[], title: string): Record<string, unknown> {
  // Sorted here and drawn in data order (sort: null): Vega-Lite warns when layers sort a shared axis themselves.
  const values = [...rows]
    .sort((a, b) => b.importanceMean - a.importanceMean)
    .map((r) => ({
      feature: r.feature,
      mean: r.importanceMean,
      low: r.importanceMean - r.importanceStd,
      high: r.importanceMean + r.importanceStd,
    }));
  const y = { field: 'feature', type: 'nominal', sort: null, title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: 'drop in score when the feature is shuffled (mean ± std over repeats)',
      anchor: 'start',
    },
    width: 480,
    height: { step: 22 },
    data: { values },
    encoding: { y },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: { x: { field: 'mean', type: 'quantitative', title: 'importance (score drop)' } },
      },
      {
        mark: { type: 'rule', color: '#333' },
        encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
      },
    ],
    config: { font: 'sans-serif', background: 'white' },
  };
}

/** Renders `spec` (Vega-Lite) to an SVG document. */
export async function renderVegaLiteSvg(spec: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
