/**
 * Per-request explanations for `POST /explain`: KernelSHAP contributions of
 * each feature to the model's output for each row, against a background of
 * training rows. The output explained is the regression value, or for a
 * classifier the probability of the class it predicts for that row (the 0/1
 * indicator of that class when the model gives no probabilities).
 */
import { cairnError } from '@cairn/errors';
import { kernelShap, type FeatureValue } from '@cairn/explain';
import type { LoadedModel } from './load-model';
import type { Row } from './manifest';

/** Rows one request may ask to explain: each costs (coalitions × background) predictions. */
export const MAX_EXPLAIN_ROWS = 10;
/** Training rows kept as the background, evenly spaced through the reference. */
export const EXPLAIN_BACKGROUND_ROWS = 40;
/** Coalitions per row; models with up to 8 features get every coalition (exact Shapley values). */
export const EXPLAIN_COALITIONS = 256;
const PREDICT_BATCH = 2000;

export interface RowExplanation {
  /** What the contributions add up to: `value`, or `probability:<label>` / `indicator:<label>`. */
  output: string;
  prediction: number;
  expectedValue: number;
  contributions: Record<string, number>;
}

export interface RowExplainer {
  explain(rows: Row[]): Promise<RowExplanation[]>;
}

function backgroundRows(model: LoadedModel, reference: readonly Row[]): FeatureValue[][] {
  const { features } = model.manifest;
  const usable = reference
    .map((row) => features.map((f) => row[f.name]))
    .filter((values): values is FeatureValue[] =>
      values.every((v, i) =>
        features[i]!.type === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string',
      ),
    );
  if (usable.length <= EXPLAIN_BACKGROUND_ROWS) return usable;
  const step = usable.length / EXPLAIN_BACKGROUND_ROWS;
  return Array.from({ length: EXPLAIN_BACKGROUND_ROWS }, (_, i) => usable[Math.floor(i * step)]!);
}

export function createRowExplainer(
  model: LoadedModel,
  reference: readonly Row[] | undefined,
): RowExplainer | undefined {
  if (!reference) return undefined;
  const background = backgroundRows(model, reference);
  if (background.length === 0) return undefined;
  const { features, task, labels } = model.manifest;
  const toRecord = (values: FeatureValue[]): Row =>
    Object.fromEntries(features.map((f, i) => [f.name, values[i]!]));
  async function predictAll(rows: FeatureValue[][]) {
    const out = [];
    for (let start = 0; start < rows.length; start += PREDICT_BATCH) {
      out.push(...(await model.predict(rows.slice(start, start + PREDICT_BATCH).map(toRecord))));
    }
    return out;
  }
  return {
    async explain(rows: Row[]): Promise<RowExplanation[]> {
      if (rows.length > MAX_EXPLAIN_ROWS) {
        throw cairnError(
          'SERVE_INVALID_REQUEST',
          `/rows holds ${rows.length} rows: /explain takes at most ${MAX_EXPLAIN_ROWS} per request`,
          { data: { pointer: '/rows' }, hint: 'split the rows over several requests' },
        );
      }
      const explanations: RowExplanation[] = [];
      for (const row of rows) {
        const x = features.map((f) => row[f.name]!);
        let output = 'value';
        let f: (batch: FeatureValue[][]) => Promise<number[]>;
        if (task === 'regression') {
          f = async (batch) => (await predictAll(batch)).map((p) => Number(p.label));
        } else {
          const [own] = await predictAll([x]);
          const target = own!.label;
          const index = (labels ?? []).findIndex((l) => String(l) === String(target));
          const probabilities = index >= 0 && own!.probabilities?.length === labels!.length;
          output = `${probabilities ? 'probability' : 'indicator'}:${String(target)}`;
          f = async (batch) =>
            (await predictAll(batch)).map((p) =>
              probabilities ? p.probabilities![index]! : String(p.label) === String(target) ? 1 : 0,
            );
        }
        const result = await kernelShap(f, x, background, { nSamples: EXPLAIN_COALITIONS, seed: 0 });
        explanations.push({
          output,
          prediction: result.prediction,
          expectedValue: result.expectedValue,
          contributions: Object.fromEntries(features.map((feature, i) => [feature.name, result.values[i]!])),
        });
      }
      return explanations;
    },
  };
}
