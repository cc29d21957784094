import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The layers of DESIGN.md, enforced: a package is used through its public door
 * (`src/index.ts` and the entries its package.json exports), never by reaching
 * into its `src` or `dist`; libraries (packages/*) never import the Nx plugin,
 * the CLI or Nx itself. tools/layers/src/layers.spec.ts proves each rule fires.
 */
const DEEP_IMPORTS = {
  patterns: [
    {
      group: ['@cairn/*/src', '@cairn/*/src/**', '@cairn/*/dist', '@cairn/*/dist/**'],
      message:
        'Import a Cairn package through its public entry (src/index.ts or an entry its package.json exports), not its internals.',
    },
    {
      regex: '^(\\.\\./)+(packages/|plugins/)?[^./][^/]*/(src|dist)(/|$)',
      message: "Another package's sources are not a public entry: import it by its @cairn/ name.",
    },
    {
      group: ['nx/src/**', 'nx/dist/**', '@nx/*/src/**', '@nx/*/dist/**'],
      message:
        "Nx's internals change without notice: use @nx/devkit (or @nx/devkit/internal, as Nx's own plugins do).",
    },
  ],
};

const LIBRARY_IMPORTS = {
  patterns: [
    ...DEEP_IMPORTS.patterns,
    {
      group: ['@cairn/nx', '@cairn/nx/**', '@cairn/cli', '@cairn/cli/**', 'nx', 'nx/**', '@nx/*', '@nx/*/**'],
      message:
        'Libraries (packages/*) sit below the Nx plugin and the CLI and know nothing of Nx: move the shared code into a library.',
    },
  ],
};

/*
 * no-restricted-imports sees only static imports: the same rules for
 * `import('…')` and `require('…')` (the CLI loads commands' libraries lazily),
 * as regular expressions over the literal specifier.
 */
const DEEP_SPECIFIERS = [
  ['^@cairn/[^/]+/(src|dist)(/|$)', DEEP_IMPORTS.patterns[0].message],
  [DEEP_IMPORTS.patterns[1].regex, DEEP_IMPORTS.patterns[1].message],
  ['^(nx|@nx/[^/]+)/(src|dist)/', DEEP_IMPORTS.patterns[2].message],
];
const LIBRARY_SPECIFIERS = [
  ...DEEP_SPECIFIERS,
  ['^(@cairn/(nx|cli)|nx|@nx/[^/]+)(/|$)', LIBRARY_IMPORTS.patterns.at(-1).message],
];
/** esquery reads `/` as the end of a regular expression, so slashes are written as escapes. */
const selectorRegex = (source) => `/${source.replaceAll('/', '\\x2F')}/`;
function restrictedLoads(specifiers) {
  return specifiers.flatMap(([source, message]) => [
    { selector: `ImportExpression > Literal.source[value=${selectorRegex(source)}]`, message },
    {
      selector: `CallExpression[callee.name='require'] > Literal.arguments[value=${selectorRegex(source)}]`,
      message,
    },
  ]);
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/.cairn/**',
      'templates/**/files/**',
      'plugins/nx/templates/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['plugins/**/*.{ts,mts,js,mjs}'],
    rules: {
      'no-restricted-imports': ['error', DEEP_IMPORTS],
      'no-restricted-syntax': ['error', ...restrictedLoads(DEEP_SPECIFIERS)],
    },
  },
  {
    files: ['packages/**/*.{ts,mts,js,mjs}'],
    rules: {
      'no-restricted-imports': ['error', LIBRARY_IMPORTS],
      'no-restricted-syntax': ['error', ...restrictedLoads(LIBRARY_SPECIFIERS)],
    },
  },
);
