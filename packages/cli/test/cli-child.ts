// The CLI as its own process, on the TypeScript sources (what bin/cairn.js does with dist/):
//   node --conditions=@cairn/source -r @swc-node/register cli-child.ts <args>...
import { main } from '../src/main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 70;
  },
);
