#!/usr/bin/env node
'use strict';
// The CLI ships compiled (dist/ is built by the repo's `prepare` step), so
// `npx cairn` starts without a TypeScript loader.

function run() {
  // `cairn … | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }

  require('../dist/main.js')
    .main(process.argv)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error) => {
        console.error(error);
        process.exitCode = 70;
      },
    );
}

// `cairn --version` answers without loading the command parser and every
// command's definition: scripts call it to probe for the tool.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../dist/version.js').version}\n`);
} else {
  run();
}
