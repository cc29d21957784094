import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES, FAMILIES } from './codes';
import { renderErrorReference } from './reference';

const repoRoot = join(__dirname, '..', '..', '..');
const registryFile = join(__dirname, 'codes.ts');

/** Library and plugin sources a user's failure can come from: specs and the registry itself aside. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !/\.spec\.|\.d\.ts$/.test(entry.name))
        files.push(path);
    }
  };
  for (const group of ['packages', 'plugins']) {
    for (const pkg of readdirSync(join(repoRoot, group), { withFileTypes: true })) {
      if (!pkg.isDirectory()) continue;
      const src = join(repoRoot, group, pkg.name, 'src');
      try {
        walk(src);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return files.filter((file) => file !== registryFile);
}

const CODE_LITERAL = /['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]/g;
/** A code where an error is made: `xxxError('CODE'`, `super('CODE'`, `code: 'CODE'`. */
const THROWN_CODE =
  /(?:\b\w*(?:Error|error|refusal)\s*\(\s*|\bsuper\(\s*|\bcode:\s*)['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g;

describe('the error registry', () => {
  const sources = sourceFiles().map((file) => ({ file, text: readFileSync(file, 'utf8') }));

  it('scans the sources it should', () => {
    expect(sources.length).toBeGreaterThan(100);
  });

  it('holds no unused code: each is referenced by some library or plugin source', () => {
    const referenced = new Set<string>();
    for (const { text } of sources)
      for (const match of text.matchAll(CODE_LITERAL)) referenced.add(match[1]!);
    const unused = Object.keys(CODES).filter((code) => !referenced.has(code));
    expect(unused, 'registered but never used: delete them from codes.ts').toEqual([]);
  });

  it('registers and documents every code a source throws', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
    const missing: string[] = [];
    for (const { file, text } of sources) {
      for (const match of text.matchAll(THROWN_CODE)) {
        const code = match[1]!;
        if (!(code in CODES) || !docs.includes(`| \`${code}\` |`))
          missing.push(`${relative(repoRoot, file)}: ${code}`);
      }
    }
    expect(missing, 'add them to packages/errors/src/codes.ts, then run `npm run docs:errors`').toEqual([]);
  });

  it('keeps docs/errors.md in step with the registry', () => {
    const committed = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
    expect(committed === renderErrorReference(), 'docs/errors.md is stale: run `npm run docs:errors`').toBe(
      true,
    );
  });

  it('gives each code a known family, a one-line summary, and keeps codes sorted', () => {
    const codes = Object.keys(CODES);
    expect(codes).toEqual([...codes].sort());
    for (const [code, info] of Object.entries(CODES)) {
      expect(Object.keys(FAMILIES), code).toContain(info.family);
      expect(info.summary, code).toMatch(/^\S[^\n]*\.$/);
    }
  });
});
