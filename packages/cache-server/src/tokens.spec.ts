import { describe, expect, it } from 'vitest';
import { canRead, canWrite, parseTokens, TokenChecker } from './tokens';

describe('tokens', () => {
  it('parses scopes and tokens, skipping comments and blank lines', () => {
    const entries = parseTokens(
      '# CI tokens\nread  pr-token-0123456789abcdef\n\nwrite main-token-0123456789abcdef # main only\n',
    );
    expect(entries).toEqual([
      { scope: 'read', token: 'pr-token-0123456789abcdef' },
      { scope: 'write', token: 'main-token-0123456789abcdef' },
    ]);
  });

  it('names the line of a malformed entry', () => {
    expect(() =>
      parseTokens('read ok-token-0123456789abcdef\nadmin x-token-0123456789abcdef', 'tokens.txt'),
    ).toThrow(
      expect.objectContaining({ code: 'TOKENS_FILE_INVALID', data: { file: 'tokens.txt', line: 2 } }),
    );
    expect(() => parseTokens('read short')).toThrow(expect.objectContaining({ code: 'TOKEN_TOO_SHORT' }));
    expect(() => parseTokens('# nothing\n')).toThrow(expect.objectContaining({ code: 'TOKENS_FILE_EMPTY' }));
  });

  it('finds the scope of a known token and nothing for near misses', () => {
    const checker = new TokenChecker(parseTokens('read aaaaaaaaaaaaaaaaaaaa\nwrite bbbbbbbbbbbbbbbbbbbb'));
    expect(checker.scopeOf('aaaaaaaaaaaaaaaaaaaa')).toBe('read');
    expect(checker.scopeOf('bbbbbbbbbbbbbbbbbbbb')).toBe('write');
    expect(checker.scopeOf('aaaaaaaaaaaaaaaaaaab')).toBeUndefined();
    expect(checker.scopeOf('aaaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(checker.scopeOf('')).toBeUndefined();
  });

  it('maps scopes to permissions', () => {
    expect([canRead('read'), canWrite('read')]).toEqual([true, false]);
    expect([canRead('write'), canWrite('write')]).toEqual([true, true]);
    expect([canRead('write-only'), canWrite('write-only')]).toEqual([false, true]);
  });
});
