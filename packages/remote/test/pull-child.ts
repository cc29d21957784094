// Run by the pull crash spec in a separate Node process:
//   node --conditions=@cairn/source -r @swc-node/register pull-child.ts <root>
// What `cairn pull` does after a `git pull` changed the pointers: fetch the objects, then check out
// (with force, as the data on disk is the previous version).
import { checkoutRepairing, openWorkspaceRemote, pullWorkspace } from '../src/index';

async function pull(root: string): Promise<void> {
  const { remote } = await openWorkspaceRemote(root);
  try {
    const result = await pullWorkspace(root, remote);
    if (result.unavailable.length > 0) throw new Error(`unavailable: ${result.unavailable.join(', ')}`);
    await checkoutRepairing(root, undefined, { force: true }, remote);
  } finally {
    await remote.close();
  }
}

const [root] = process.argv.slice(2);
process.stdout.write('ready\n');
pull(root!).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(3);
  },
);
