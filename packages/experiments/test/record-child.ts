// Run by store.spec.ts in its own Node process:
//   node --conditions=@cairn/source -r @swc-node/register record-child.ts <workspace> <project> <count> <go-file>
// Records <count> experiments as fast as it can and lists between them, racing the other children.
import * as fs from 'node:fs';
import { listExperiments, newExperimentId, recordExperiment } from '../src/index';

const [root, project, count, goFile] = process.argv.slice(2);

async function main(): Promise<void> {
  process.stdout.write('ready\n');
  while (!fs.existsSync(goFile!)) await new Promise((resolve) => setTimeout(resolve, 2));
  for (let trial = 0; trial < Number(count); trial++) {
    const created = new Date();
    await recordExperiment(root!, {
      id: newExperimentId(created),
      project: project!,
      kind: 'trial',
      status: 'succeeded',
      created: created.toISOString(),
      durationMs: 1,
      params: { trial, pid: process.pid },
      metrics: { score: trial },
      data: {},
      host: 'test',
      artifacts: [],
      study: { name: 'race', trial },
    });
    await listExperiments(root!);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(3);
  },
);
