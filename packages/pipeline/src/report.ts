import type { MetricsReport } from '@cairn/metrics';
import type { CommittedMetrics } from './evaluate';

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** A Markdown evaluation report: headline metrics, cross-validation and the confusion matrix. */
export function renderEvaluationMarkdown(committed: CommittedMetrics, report: MetricsReport): string {
  const lines = [`# Evaluation of ${committed.project}`, ''];
  lines.push(
    `Held-out split: ${committed.split.testRows} rows (${committed.split.test * 100}% , seed ${committed.split.seed}).`,
    '',
  );
  lines.push('| metric | value |', '|---|---|');
  for (const [key, value] of Object.entries(committed.metrics))
    lines.push(`| ${key} | ${formatNumber(value)} |`);
  if (committed.cv) {
    lines.push(
      '',
      `## ${committed.cv.folds}-fold stratified cross-validation`,
      '',
      '| metric | mean | std |',
      '|---|---|---|',
    );
    for (const [key, { mean, std }] of Object.entries(committed.cv.metrics)) {
      lines.push(`| ${key} | ${formatNumber(mean)} | ${formatNumber(std)} |`);
    }
  }
  if ('confusion_matrix' in report) {
    const labels = report.labels.map(String);
    lines.push('', '## Confusion matrix (rows: true, columns: predicted)', '');
    lines.push(`| | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---').join('|')}|`);
    report.confusion_matrix.forEach((row, i) => lines.push(`| **${labels[i]}** | ${row.join(' | ')} |`));
  }
  lines.push('', '## Inputs', '');
  for (const [name, hash] of Object.entries(committed.data)) lines.push(`- dataset \`${name}\`: \`${hash}\``);
  lines.push(`- artifact: \`${committed.artifact}\``, '');
  return lines.join('\n');
}
