import { extname, join } from 'node:path';
import { rm } from 'node:fs/promises';
import { cairnError } from '@cairn/errors';
import { ModelTestsFailedError } from './errors';
import { scratchDir } from './scratch';
import { projectDatasetSpec } from './synth';
import { resolveTrainable } from './trainable';
import { datasetEnvName, runCommand } from './train';
import { discoverProjects, requireProject, type CairnProjects } from './workspace';

export interface TestProjectOptions {
  workspaceRoot: string;
  project: string;
  log?: (line: string) => void;
  output?: (chunk: string) => void;
  projects?: CairnProjects;
}

/**
 * The `test` target: runs the model code's own tests (model.json `test.command`)
 * on synthetic data made from its datasets' validation specs, so they need no
 * real data, no download and no full training. The data is CSV as the training
 * command receives it; the first dataset also gets an edge-case file (every
 * declared boundary, nulls where allowed, a rare class). Seeded by the model's seed.
 */
export async function testProject(options: TestProjectOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workspaceRoot } = options;
  const projects = options.projects ?? (await discoverProjects(workspaceRoot));
  const trainable = resolveTrainable(projects, options.project);
  const tests = trainable.config.test;
  if (!tests) {
    throw cairnError('MODEL_TESTS_NOT_DECLARED', `${trainable.configFile}: /test is not declared`, {
      data: { file: trainable.configFile, pointer: '/test' },
    });
  }
  const { writeSyntheticDataset } = await import('@cairn/validate');
  const seed = trainable.config.seed ?? 42;
  const scratch = await scratchDir(workspaceRoot, 'test');
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CAIRN_LABEL: trainable.config.label,
      CAIRN_TASK: trainable.config.task,
      CAIRN_SEED: String(seed),
      CAIRN_PROJECT: trainable.name,
    };
    for (const [index, name] of trainable.config.datasets.entries()) {
      const dataset = requireProject(projects.datasets, name, 'dataset', trainable.configFile);
      // Training commands always receive plain CSV (comma, empty = null), whatever the source format.
      const spec = { ...(await projectDatasetSpec(dataset)), format: 'csv' as const, csv: undefined };
      const file = join(scratch, `${name}.csv`);
      const made = await writeSyntheticDataset(spec, file, { rows: tests.rows, seed });
      env[datasetEnvName(name, 'SYNTH')] = file;
      if (index === 0) {
        env.CAIRN_SYNTH_FILE = file;
        const edgeFile = join(scratch, `${name}.edge-cases${extname(file)}`);
        await writeSyntheticDataset(spec, edgeFile, { rows: tests.rows, seed, edgeCases: true });
        env.CAIRN_SYNTH_EDGE_FILE = edgeFile;
      }
      log(`cairn: ${trainable.name}: ${made.rows} synthetic rows of ${name} (seed ${seed})`);
    }
    log(`cairn: testing ${trainable.name}: ${tests.command}`);
    const result = await runCommand(
      tests.command,
      join(workspaceRoot, trainable.codeRoot),
      env,
      options.output,
    );
    if (result.code !== 0)
      throw new ModelTestsFailedError(trainable.name, tests.command, result.code, result.signal);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
