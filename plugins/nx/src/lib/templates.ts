import { join } from 'node:path';

/**
 * The model and CI templates ship inside this package (`templates/` beside
 * `src/` and `dist/`, copied from the repository's top-level `templates/` by
 * the build, `npm pack` and the test set-up), so generators find them the same
 * way from the sources, from the built plugin in this repository and from an
 * installed package.
 */
export function templatesRoot(): string {
  return join(__dirname, '..', '..', 'templates');
}
