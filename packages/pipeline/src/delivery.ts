import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '@cairn/fs-atomic';
import type { LaneMetrics, Row, TrafficPolicy } from '@cairn/serve';
import type { DatasetSpec } from '@cairn/validate';
import { RETRAIN_TRIGGER } from './drift';

/**
 * Masks request rows before they are logged, from the dataset spec's PII
 * declarations (dataset.json `validation.pii`): the declared columns are
 * masked whole, and every other value is scanned for the declared kinds (all
 * kinds when none are declared). Undefined when the spec turns PII off.
 */
export async function requestMasker(
  pii: DatasetSpec['pii'] | undefined,
): Promise<((row: Row) => Row) | undefined> {
  if (pii?.scan === false && !pii.columns?.length) return undefined;
  const { createRowAnonymizer } = await import('@cairn/validate');
  const mask = createRowAnonymizer({ mode: 'mask', wholeColumns: pii?.columns, kinds: pii?.kinds });
  return (row) => mask(row) as Row;
}

/** The evaluation metrics committed with the model (metrics.json), or none. */
export async function committedMetrics(file: string): Promise<Record<string, number> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as { metrics?: Record<string, unknown> };
    const metrics = Object.entries(value.metrics ?? {}).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]),
    );
    return metrics.length > 0 ? Object.fromEntries(metrics) : undefined;
  } catch {
    return undefined;
  }
}

export interface AccuracyWatchOptions {
  /** Folder of the model project: the retrain trigger is written there. */
  modelDir: string;
  project: string;
  /** Accuracy the version had at evaluation. */
  baseline: number;
  /** How far live accuracy may fall below `baseline` (monitoring accuracy_drop). */
  drop: number;
  /** Labels needed before live accuracy counts (default 100). */
  minLabels?: number;
  log?: (line: string) => void;
}

/**
 * The feedback side of the loop: after each batch of delayed labels, when a
 * lane's live accuracy (over its last labelled predictions) has fallen more
 * than `drop` below the evaluated accuracy, writes the model's retrain
 * trigger once, as `drift --on-drift retrain` does, so the next
 * `nx affected -t train` retrains it.
 */
export function retrainOnAccuracyDrop(
  options: AccuracyWatchOptions,
): (lane: LaneMetrics) => Promise<boolean> {
  let written = false;
  const minLabels = options.minLabels ?? 100;
  return async (lane) => {
    if (written) return false;
    const { accuracy, labelled } = lane.liveAccuracy();
    if (labelled < minLabels || !(accuracy < options.baseline - options.drop)) return false;
    written = true;
    const trigger = join(options.modelDir, RETRAIN_TRIGGER);
    await writeJsonAtomic(trigger, {
      reason: 'live-accuracy',
      version: lane.options.version,
      ...(lane.options.alias ? { alias: lane.options.alias } : {}),
      accuracy,
      labelled,
      baseline: options.baseline,
      drop: options.drop,
    });
    (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(
      `cairn: ${options.project}: live accuracy ${accuracy.toFixed(3)} over ${labelled} labels is below ${options.baseline.toFixed(3)} - ${options.drop}; wrote ${trigger}: commit it and \`nx affected -t train\` retrains it`,
    );
    return true;
  };
}

/**
 * A traffic policy from its command-line form: `canary:<weight>`,
 * `ab:<weight>:header=<name>`, `ab:<weight>:field=<name>` or `shadow`.
 */
export async function parseTrafficFlag(text: string): Promise<TrafficPolicy> {
  const { parseTrafficPolicy } = await import('@cairn/serve');
  const [mode, weight, key] = text.split(':');
  const [keyKind, keyName] = (key ?? '').split('=');
  return parseTrafficPolicy(
    {
      mode,
      ...(weight !== undefined ? { weight: /^\d+$/.test(weight) ? Number(weight) : weight } : {}),
      ...(keyKind === 'header' || keyKind === 'field' ? { [keyKind]: keyName } : {}),
    },
    `--traffic ${text}`,
  );
}
