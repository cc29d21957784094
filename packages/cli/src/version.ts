import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The toolkit version, read from this package's manifest (src/ and dist/ sit at the same depth). */
export const version: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
