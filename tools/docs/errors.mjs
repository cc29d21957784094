// Writes docs/errors.md from the error registry (packages/errors/src/codes.ts).
// Run through `npm run docs:errors`, which builds @cairn/errors first.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderErrorReference } from '@cairn/errors';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'errors.md');
writeFileSync(target, renderErrorReference());
process.stdout.write(`wrote ${target}\n`);
