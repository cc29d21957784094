import { join } from 'node:path';
import type { Cell, PermutationImportanceResult } from '@cairn/explain';
import { writeFileAtomic, writeJsonAtomic } from '@cairn/fs-atomic';
import type { LoadedModel, Prediction } from '@cairn/serve';
import { tableToCsv } from '@cairn/table';
import { ensureArtifact } from './artifact';
import { prepareData } from './train';
import { outputPaths, type CairnProjects } from './workspace';

export interface ExplainOptions {
  workspaceRoot: string;
  project: string;
  /** Shuffles per feature (scikit-learn's n_repeats); default 5. */
  nRepeats?: number;
  /** scikit-learn's random_state; default the model's seed. */
  seed?: number;
  log?: (line: string) => void;
  projects?: CairnProjects;
}

/** The contract of `importance.json` (other reports read it): exactly these fields. */
export interface ImportanceFile {
  features: Array<{ feature: string; importanceMean: number; importanceStd: number }>;
}

const PREDICT_BATCH = 1000;

async function predictLabels(
  model: LoadedModel,
  features: string[],
  rows: Cell[][],
): Promise<Array<string | number>> {
  const out: Prediction[] = [];
  for (let start = 0; start < rows.length; start += PREDICT_BATCH) {
    const batch = rows.slice(start, start + PREDICT_BATCH).map((row) => {
      const record: Record<string, number | string> = {};
      features.forEach((feature, i) => {
        const value = row[i];
        if (value !== null && value !== undefined) record[feature] = value;
      });
      return record;
    });
    out.push(...(await model.predict(batch)));
  }
  return out.map((p) => p.label);
}

/**
 * Permutation importance of a trained model on its held-out split, through
 * the model contract (any runtime): the model's default score (accuracy for
 * classification, R² for regression, as scikit-learn's `estimator.score`),
 * numbers equal to `sklearn.inspection.permutation_importance` for the same
 * predictions and seed. Writes importance.json / .csv, the Vega-Lite spec and
 * its SVG into dist/cairn/<model>/explain/.
 */
export async function explainProject(
  options: ExplainOptions,
): Promise<{ importance: ImportanceFile; result: PermutationImportanceResult; dir: string }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const data = await prepareData(workspaceRoot, options.project, options.projects);
  const { trainable, features } = data;
  const { label, task } = trainable.config;
  const artifact = await ensureArtifact(workspaceRoot, trainable);
  const { permutationImportance, importanceChartSpec, renderVegaLiteSvg } = await import('@cairn/explain');
  const { accuracyScore, r2Score } = await import('@cairn/metrics');
  const { loadModel } = await import('@cairn/serve');
  const model = await loadModel(artifact.dir);
  let result: PermutationImportanceResult;
  try {
    const rows = data.test.map((row) => features.map((f): Cell => (row[f] ?? null) as Cell));
    const y = data.test.map((row) => row[label] as string | number);
    result = await permutationImportance<string | number>({
      rows,
      y,
      features,
      predict: (batch) => predictLabels(model, features, batch),
      score: (yTrue, yPred) =>
        task === 'regression'
          ? r2Score(yTrue as number[], yPred as number[])
          : accuracyScore(yTrue as Array<string | number>, yPred as Array<string | number>),
      nRepeats: options.nRepeats ?? 5,
      seed: options.seed ?? data.seed,
    });
  } finally {
    await model.close();
  }
  const importance: ImportanceFile = {
    features: result.features.map(({ feature, importanceMean, importanceStd }) => ({
      feature,
      importanceMean,
      importanceStd,
    })),
  };
  const dir = outputPaths(trainable.root).explainDir;
  const repeats = (result.features[0]?.importances ?? []).map((_, i) => `repeat_${i + 1}`);
  await writeJsonAtomic(join(workspaceRoot, dir, 'importance.json'), importance);
  await writeFileAtomic(
    join(workspaceRoot, dir, 'importance.csv'),
    tableToCsv(
      ['feature', 'importance_mean', 'importance_std', ...repeats],
      result.features.map((f) => ({
        feature: f.feature,
        importance_mean: f.importanceMean,
        importance_std: f.importanceStd,
        ...Object.fromEntries(f.importances.map((v, i) => [repeats[i]!, v])),
      })),
    ),
  );
  const spec = importanceChartSpec(importance.features, `Permutation importance: ${trainable.name}`);
  await writeJsonAtomic(join(workspaceRoot, dir, 'importance.vl.json'), spec);
  await writeFileAtomic(join(workspaceRoot, dir, 'importance.svg'), await renderVegaLiteSvg(spec));
  const top = [...importance.features].sort((a, b) => b.importanceMean - a.importanceMean).slice(0, 3);
  log(
    `cairn: ${trainable.name}: permutation importance on ${data.test.length} held-out rows (${task === 'regression' ? 'R²' : 'accuracy'} ${result.baseline.toFixed(4)}): ${top.map((f) => `${f.feature} ${f.importanceMean.toFixed(4)}`).join(', ')}`,
  );
  return { importance, result, dir };
}
