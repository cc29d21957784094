// Run by the concurrency spec in a separate Node process:
//   node --conditions=@cairn/source -r @swc-node/register registry-child.ts <repo> <command> ...
// Prints one JSON line with the outcome; a CairnError prints its code and exits 1.
import { isCairnError } from '@cairn/errors';
import { registerVersion, setAlias } from '../src/index';
import { versionInput } from './helpers';

async function main(): Promise<unknown> {
  const [repo, command, ...args] = process.argv.slice(2);
  const actor = `worker-${process.pid}`;
  if (command === 'register-and-promote') {
    const outcomes = [];
    for (const n of args.map(Number)) {
      const { version } = await registerVersion(repo!, 'iris', versionInput(n), { actor });
      const moved = await setAlias(
        repo!,
        { model: 'iris', alias: 'champion', version: version.version, why: `run ${n}` },
        { actor },
      );
      outcomes.push({ version: version.version, changed: moved.changed });
    }
    return outcomes;
  }
  if (command === 'promote-expecting') {
    const [version, expected] = args.map(Number);
    return setAlias(
      repo!,
      { model: 'iris', alias: 'champion', version: version!, expected: expected!, why: 'gate passed' },
      { actor },
    );
  }
  throw new Error(`unknown command ${command}`);
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ ok: result })}\n`);
  },
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: isCairnError(error) ? error.code : String(error) })}\n`);
    process.exit(1);
  },
);
