import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Model and CI templates: shipped inside the published plugin under
 * `templates/`, or taken from the monorepo's top-level `templates/` folder
 * when the plugin runs from source or from its `dist/` in this repository.
 */
export function templatesRoot(): string {
  const candidates = [
    join(__dirname, '..', '..', 'templates'),
    join(__dirname, '..', '..', '..', '..', 'templates'),
  ];
  return candidates.find((candidate) => existsSync(join(candidate, 'model-ts'))) ?? candidates[1]!;
}
