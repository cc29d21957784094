import { join } from 'node:path';

/**
 * The model and CI templates ship inside this package (`templates/` beside
 * `src/` and `dist/`), so generators find them the same way from the sources,
 * from the built plugin in this repository and from an installed package.
 */
export function templatesRoot(): string {
  return join(__dirname, '..', '..', 'templates');
}
