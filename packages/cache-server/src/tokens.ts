import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cacheServerError } from './errors';

/**
 * `read` may GET, `write` may GET and PUT, `write-only` may PUT but not GET
 * (an uploader that must not read other entries).
 */
export type TokenScope = 'read' | 'write' | 'write-only';

const SCOPES: readonly TokenScope[] = ['read', 'write', 'write-only'];

export interface TokenEntry {
  scope: TokenScope;
  token: string;
}

/** Parses a tokens file: one `<scope> <token>` per line, `#` starts a comment, blank lines ignored. */
export function parseTokens(text: string, file = '<tokens>'): TokenEntry[] {
  const entries: TokenEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    const [scope, token] = parts;
    if (parts.length !== 2 || !SCOPES.includes(scope as TokenScope) || !token) {
      throw cacheServerError('TOKENS_FILE_INVALID', `${file}:${index + 1}: expected "<scope> <token>"`, {
        data: { file, line: index + 1 },
        hint: `scope is one of ${SCOPES.join(', ')}; the token is one word without spaces`,
      });
    }
    if (token.length < 16) {
      throw cacheServerError(
        'TOKEN_TOO_SHORT',
        `${file}:${index + 1}: the token has ${token.length} characters`,
        {
          data: { file, line: index + 1 },
          hint: 'use at least 16 random characters, e.g. `openssl rand -hex 32`',
        },
      );
    }
    entries.push({ scope: scope as TokenScope, token });
  });
  if (entries.length === 0) {
    throw cacheServerError('TOKENS_FILE_EMPTY', `${file}: no tokens`, {
      data: { file },
      hint: 'add lines like "read <token>" and "write <token>"',
    });
  }
  return entries;
}

export function readTokensFile(file: string): TokenEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw cacheServerError('TOKENS_FILE_UNREADABLE', `cannot read tokens file ${file}`, {
      data: { file },
      cause: error,
    });
  }
  return parseTokens(text, file);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Looks a bearer token up in constant time: every candidate is compared (no
 * early exit) on fixed-length SHA-256 digests, so neither the position of a
 * mismatch nor the token length shows in the timing.
 */
export class TokenChecker {
  private readonly entries: { scope: TokenScope; digest: Buffer }[];

  constructor(entries: TokenEntry[]) {
    this.entries = entries.map((entry) => ({ scope: entry.scope, digest: digest(entry.token) }));
  }

  scopeOf(token: string): TokenScope | undefined {
    const candidate = digest(token);
    let found: TokenScope | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && found === undefined) found = entry.scope;
    }
    return found;
  }
}

export function canRead(scope: TokenScope): boolean {
  return scope === 'read' || scope === 'write';
}

export function canWrite(scope: TokenScope): boolean {
  return scope === 'write' || scope === 'write-only';
}
