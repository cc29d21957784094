// Run by records.spec.ts in its own Node process:
//   node --conditions=@cairn/source -r @swc-node/register cas-child.ts <repo> <ref> <increments> <go-file>
// Increments a counter kept in the message of the commit a ref names, with
// compare-and-swap retries: a lost update would show as a short count.
import * as fs from 'node:fs';
import {
  compareAndSwapRef,
  openRepository,
  readRecordCommit,
  readRef,
  writeRecordCommit,
} from '../src/index';

const [dir, ref, increments, goFile] = process.argv.slice(2);

async function main(): Promise<void> {
  const repository = openRepository(dir!);
  process.stdout.write('ready\n');
  while (!fs.existsSync(goFile!)) await new Promise((resolve) => setTimeout(resolve, 2));
  let retries = 0;
  for (let done = 0; done < Number(increments);) {
    const current = readRef(repository, ref!);
    const count = current ? Number(await readRecordCommit(repository, current)) : 0;
    const next = writeRecordCommit(repository, `count ${count + 1}`, String(count + 1), new Date(0));
    if (await compareAndSwapRef(repository, ref!, next, current)) done++;
    else retries++;
  }
  process.stdout.write(`retries ${retries}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(3);
  },
);
