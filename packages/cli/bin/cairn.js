#!/usr/bin/env node
'use strict';
// The CLI ships compiled (dist/ is built by the repo's `prepare` step), so
// `npx cairn` starts without a TypeScript loader.
require('../dist/main.js').main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 70;
  },
);
