// Run by the checkout crash spec in a separate Node process:
//   node --conditions=@cairn/source -r @swc-node/register checkout-child.ts <root>
import { checkout } from '../src/index';

const [root] = process.argv.slice(2);
// Modules are loaded: from here on a kill interrupts real work.
process.stdout.write('ready\n');
checkout(root!, undefined, { force: true }).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(3);
  },
);
