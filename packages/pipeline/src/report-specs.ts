/**
 * The Vega-Lite specs of the evaluation plots, in one place: the HTML report
 * draws them in the browser and the compare gate renders them to SVG files
 * its Markdown report embeds.
 */

export interface EvaluationPlots {
  project: string;
  labels?: (string | number)[];
  confusion?: number[][];
  roc?: { fpr: number[]; tpr: number[] };
  pr?: { precision: number[]; recall: number[] };
}

type Spec = Record<string, unknown>;

export function confusionSpec(evaluation: EvaluationPlots): Spec | undefined {
  const { labels, confusion } = evaluation;
  if (!labels || !confusion) return undefined;
  const cells = confusion.flatMap((row, i) =>
    row.map((count, j) => ({ actual: String(labels[i]), predicted: String(labels[j]), count })),
  );
  return {
    title: evaluation.project,
    width: 40 * labels.length + 60,
    height: 40 * labels.length + 20,
    data: { values: cells },
    encoding: { x: { field: 'predicted', type: 'nominal' }, y: { field: 'actual', type: 'nominal' } },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', legend: null } } },
      { mark: 'text', encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

export function rocSpec(evaluations: EvaluationPlots[]): Spec | undefined {
  const values = evaluations.flatMap((e) =>
    e.roc ? e.roc.fpr.map((fpr, i) => ({ project: e.project, fpr, tpr: e.roc!.tpr[i] })) : [],
  );
  if (values.length === 0) return undefined;
  return {
    title: 'ROC',
    width: 280,
    height: 280,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'fpr', type: 'quantitative', title: 'false positive rate' },
      y: { field: 'tpr', type: 'quantitative', title: 'true positive rate' },
      color: { field: 'project', type: 'nominal' },
      order: { field: 'fpr' },
    },
  };
}

export function prSpec(evaluations: EvaluationPlots[]): Spec | undefined {
  const values = evaluations.flatMap((e) =>
    e.pr
      ? e.pr.recall.map((recall, i) => ({ project: e.project, recall, precision: e.pr!.precision[i] }))
      : [],
  );
  if (values.length === 0) return undefined;
  return {
    title: 'precision–recall',
    width: 280,
    height: 280,
    data: { values },
    mark: { type: 'line', interpolate: 'step-before' },
    encoding: {
      x: { field: 'recall', type: 'quantitative' },
      y: { field: 'precision', type: 'quantitative' },
      color: { field: 'project', type: 'nominal' },
      order: { field: 'recall' },
    },
  };
}

/** Renders a Vega-Lite spec to SVG text in Node (no browser, no canvas). */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
