import { cairnError } from '@cairn/errors';
import type { ValidationReport } from '@cairn/validate';
import { findProjectConfig } from './workspace';

export interface ValidateFileOptions {
  /** dataset.json with a `validation` section, or a standalone spec; default: the dataset.json of the project holding the data. */
  spec?: string;
  /** Violations kept in the report (all are counted). */
  maxViolations?: number;
  /** Called with the bytes read so far, for a progress bar. */
  onProgress?: (bytes: number) => void;
}

/** Checks one data file (CSV, JSON, JSON Lines) against its dataset spec. Writes nothing. */
export async function validateFile(
  data: string,
  options: ValidateFileOptions = {},
): Promise<{ report: ValidationReport; specFile: string }> {
  const specFile = options.spec ?? findProjectConfig(data, ['dataset']);
  if (!specFile) {
    throw cairnError('DATASET_SPEC_NOT_FOUND', `${data}: no dataset.json found in its folder or above`, {
      data: { file: data },
      hint: 'pass --spec <dataset.json>',
    });
  }
  const { loadDatasetSpec, validateDataset } = await import('@cairn/validate');
  const spec = await loadDatasetSpec(specFile);
  const report = await validateDataset(data, spec, {
    maxViolations: options.maxViolations,
    specFile,
    onProgress: options.onProgress,
  });
  return { report, specFile };
}
