import { join, posix } from 'node:path';
import { CheckError } from '@cairn/errors';
import { writeJsonAtomic } from '@cairn/fs-atomic';
import type { ValidationReport } from '@cairn/validate';
import { ensureDataset } from './data';
import { ProjectNotFoundError } from './errors';
import { projectDatasetSpec } from './synth';
import { discoverProjects, outputPaths } from './workspace';

export class ValidationFailedError extends CheckError<{ project: string; errors: number }> {
  constructor(project: string, report: ValidationReport, reportFile: string) {
    const first = report.violations.find((violation) => violation.severity === 'error');
    super(
      'VALIDATION_FAILED',
      `${project}: ${report.errors} validation error(s)${first ? `, first: ${first.message}` : ''}`,
      {
        data: { project, errors: report.errors },
        hint: `see ${reportFile}`,
      },
    );
  }
}

/**
 * The dataset `validate` target: the data must match its committed pointer
 * (integrity), then pass the spec in dataset.json `validation` (schema,
 * quality rules, PII). Writes a JSON report; fails on any error-level rule.
 */
export async function validateProject(options: {
  workspaceRoot: string;
  project: string;
  log?: (line: string) => void;
}) {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const projects = await discoverProjects(workspaceRoot);
  const dataset = projects.datasets.get(options.project);
  if (!dataset)
    throw new ProjectNotFoundError(
      '(command line)',
      'dataset',
      options.project,
      [...projects.datasets.keys()].sort(),
    );
  const resolved = await ensureDataset(workspaceRoot, dataset);
  log(`cairn: ${dataset.name}: data matches ${resolved.pointerFile} (${resolved.pointer.hash.slice(0, 12)})`);
  const paths = outputPaths(dataset.root);
  if (!dataset.config.validation) {
    await writeJsonAtomic(join(workspaceRoot, paths.validateDir, 'validation-report.json'), {
      ok: true,
      integrity: resolved.pointer,
      rules: 'none declared',
    });
    log(`cairn: ${dataset.name}: no validation spec in ${dataset.configFile}; integrity checked only`);
    return undefined;
  }
  const { validateDataset, writeValidationReports } = await import('@cairn/validate');
  const spec = await projectDatasetSpec(dataset);
  const report = await validateDataset(resolved.dataPath, spec, { specFile: dataset.configFile });
  await writeValidationReports(report, join(workspaceRoot, paths.validateDir), {
    dataset: dataset.name,
    specFile: dataset.configFile,
  });
  const reportFile = posix.join(paths.validateDir, 'validation-report.md');
  log(
    `cairn: ${dataset.name}: ${report.rows} rows, ${report.errors} error(s), ${report.warnings} warning(s), ${report.pii.length} PII finding(s)`,
  );
  if (!report.ok) throw new ValidationFailedError(dataset.name, report, reportFile);
  return report;
}
