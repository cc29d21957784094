// Run by the crash and concurrency specs in a separate Node process:
//   node --conditions=@cairn/source -r @swc-node/register add-child.ts <root> <path>...
import { add } from '../src/index';

const [root, ...paths] = process.argv.slice(2);
// Modules are loaded: from here on a kill interrupts real work.
process.stdout.write('ready\n');
add(root!, paths).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(3);
  },
);
