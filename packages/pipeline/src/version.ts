import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The toolkit version recorded in run records and hashed into every target. */
export const toolkitVersion: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
