import { describe, expect, it } from 'vitest';
import { importanceChartSpec, renderVegaLiteSvg } from './chart';

describe('importance chart', () => {
  it('renders one bar per feature to a standalone SVG', async () => {
    const rows = [
      { feature: 'petal_length', importanceMean: 0.42, importanceStd: 0.03 },
      { feature: 'sepal_<width>', importanceMean: 0.01, importanceStd: 0.02 },
    ];
    const svg = await renderVegaLiteSvg(importanceChartSpec(rows, 'iris-forest'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('petal_length');
    // Feature names are data: Vega escapes them as text.
    expect(svg).toContain('sepal_&lt;width&gt;');
    expect(svg).not.toContain('<script');
    // Two bars (rect marks Vega labels for assistive technology).
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(2);
  });
});
