import type { DriftReport } from './detect';
import { TESTS, thresholdRule } from './detect';

export interface DriftHtmlContext {
  /** Where the reference sample came from (file, dataset version…). */
  reference?: string;
  /** Where the current sample came from. */
  current?: string;
  /** Title of the page. */
  title?: string;
  /** Timestamp shown in the header (ISO string); omitted when absent so output is reproducible. */
  generatedAt?: string;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function formatNumber(x: number | undefined): string {
  if (x === undefined) return '–';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e6)) return x.toExponential(3);
  return x.toFixed(4);
}

/**
 * An inline SVG bar: the score against its threshold. For p-value tests the
 * bar shows 1 - p (longer = more evidence of drift) and the threshold mark
 * sits at 1 - threshold.
 */
function scoreBar(kind: 'p_value' | 'distance', score: number, threshold: number, drift: boolean): string {
  const width = 160;
  let fraction: number;
  let mark: number;
  if (kind === 'p_value') {
    fraction = 1 - score;
    mark = 1 - threshold;
  } else {
    const scale = Math.max(threshold * 2, Number.isFinite(score) ? score : threshold * 2, 1e-12);
    fraction = Number.isFinite(score) ? score / scale : 1;
    mark = threshold / scale;
  }
  const clamp = (f: number): number => Math.min(Math.max(Number.isFinite(f) ? f : 1, 0), 1);
  const barWidth = (clamp(fraction) * width).toFixed(1);
  const markX = (clamp(mark) * width).toFixed(1);
  const color = drift ? '#c0392b' : '#27ae60';
  return (
    `<svg width="${width}" height="14" viewBox="0 0 ${width} 14" role="img" aria-label="score ${formatNumber(score)}, threshold ${formatNumber(threshold)}">` +
    `<rect x="0" y="2" width="${width}" height="10" fill="#eee"/>` +
    `<rect x="0" y="2" width="${barWidth}" height="10" fill="${color}"/>` +
    `<line x1="${markX}" y1="0" x2="${markX}" y2="14" stroke="#333" stroke-width="2"/></svg>`
  );
}

/** A self-contained HTML page (inline CSS and SVG, no external assets) for a drift report. */
export function renderDriftHtml(report: DriftReport, context: DriftHtmlContext = {}): string {
  const title = context.title ?? 'Data drift report';
  const names = Object.keys(report.columns);
  const drifted = names.filter((n) => report.columns[n]?.drift).length;
  const rows = names
    .map((name) => {
      const c = report.columns[name];
      if (!c) return '';
      const kind = TESTS[c.test].kind;
      const score = kind === 'p_value' ? (c.p_value as number) : c.statistic;
      return (
        `<tr class="${c.drift ? 'drift' : 'ok'}"><td>${escapeHtml(name)}</td><td>${escapeHtml(c.test)}</td>` +
        `<td class="num">${formatNumber(c.statistic)}</td><td class="num">${formatNumber(c.p_value)}</td>` +
        `<td class="num">${escapeHtml(thresholdRule(TESTS[c.test]))} ${formatNumber(c.threshold)}</td>` +
        `<td>${scoreBar(kind, score, c.threshold, c.drift)}</td><td>${c.drift ? 'drift' : 'no drift'}</td></tr>`
      );
    })
    .join('\n');
  const meta = [
    context.reference ? `<div>Reference: <code>${escapeHtml(context.reference)}</code></div>` : '',
    context.current ? `<div>Current: <code>${escapeHtml(context.current)}</code></div>` : '',
    context.generatedAt ? `<div>Generated: ${escapeHtml(context.generatedAt)}</div>` : '',
  ].join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-top:1rem}
th,td{padding:.35rem .7rem;border-bottom:1px solid #ddd;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.drift td:last-child{color:#c0392b;font-weight:600}
tr.ok td:last-child{color:#27ae60}
.verdict{font-size:1.2rem;font-weight:600}
.verdict.drift{color:#c0392b}.verdict.ok{color:#27ae60}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${meta}
<p class="verdict ${report.drift ? 'drift' : 'ok'}">${report.drift ? 'Dataset drift detected' : 'No dataset drift'}: ${drifted} of ${names.length} columns drifted (share ${formatNumber(report.share)}).</p>
<table>
<thead><tr><th>column</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>score</th><th>result</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
