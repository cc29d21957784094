import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import { hashBuffer } from './hash-file';
import { compareUtf8, manifestBytes, parseManifest, type ManifestEntry } from './manifest';
import { oraclePath } from '../../../tools/test-support/src';

interface DvcCase {
  tree: Record<string, string>;
  md5: string;
  manifest?: string;
}
const dvc = JSON.parse(readFileSync(oraclePath('dvc', 'hash_cases.json'), 'utf8')) as {
  file_md5: Array<{ content_utf8: string; md5: string }>;
  dir_md5: { cases: DvcCase[] };
};

const entriesOf = (tree: Record<string, string>): ManifestEntry[] =>
  Object.entries(tree).map(([path, content]) => ({
    path,
    hash: hashBuffer(content, 'md5'),
    size: Buffer.byteLength(content),
    executable: false,
  }));

/** Python's json.dumps(sorted(entries by relpath), sort_keys=True) — DVC's Tree.as_bytes, run by the real interpreter. */
function pythonDvcManifest(entries: Array<{ md5: string; relpath: string }>): string {
  const script =
    'import json,sys\nentries=json.load(sys.stdin)\nsys.stdout.write(json.dumps(sorted(entries,key=lambda e:e["relpath"]),sort_keys=True))';
  return execFileSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify(entries),
    encoding: 'utf8',
  });
}

describe('md5 (DVC) manifests', () => {
  it('file md5s match DVC', () => {
    for (const { content_utf8, md5 } of dvc.file_md5) expect(hashBuffer(content_utf8, 'md5')).toBe(md5);
  });

  it('reproduce every DVC .dir hash and manifest text from DVC tests', () => {
    expect(dvc.dir_md5.cases.length).toBeGreaterThan(0);
    for (const testCase of dvc.dir_md5.cases) {
      const bytes = manifestBytes(entriesOf(testCase.tree), 'md5');
      if (testCase.manifest) expect(bytes.toString('utf8')).toBe(testCase.manifest);
      expect(`${hashBuffer(bytes, 'md5')}.dir`).toBe(testCase.md5);
    }
  });

  it('escape non-ASCII, control characters and DEL exactly like Python json.dumps, in code point order', () => {
    const names = [
      'é.csv',
      'z/ü',
      'emoji-🙂',
      'tab\tname',
      'quote"back\\slash',
      'del\u007f',
      'cjk-数据',
      '\uffff-last-bmp',
      'a/b',
      'x\uffff',
      'x🙂',
      'x\ue000',
    ];
    const entries = names.map((path, i) => ({
      path,
      hash: hashBuffer(String(i), 'md5'),
      size: 1,
      executable: false,
    }));
    const expected = pythonDvcManifest(entries.map((entry) => ({ md5: entry.hash, relpath: entry.path })));
    expect(manifestBytes(entries, 'md5').toString('utf8')).toBe(expected);
    expect(manifestBytes([], 'md5').toString()).toBe('[]');
  });

  it('parse back to paths and hashes', () => {
    const entries = entriesOf(dvc.dir_md5.cases[0]!.tree);
    const parsed = parseManifest(manifestBytes(entries, 'md5'), 'md5');
    expect(parsed.map((e) => [e.path, e.hash])).toEqual(
      [...entries].sort((a, b) => (a.path < b.path ? -1 : 1)).map((e) => [e.path, e.hash]),
    );
  });
});

describe('compareUtf8', () => {
  it('orders like the bytes of the UTF-8 encodings (Buffer.compare), unlike UTF-16 `<`', () => {
    const alphabet = [
      'a',
      'b',
      'é',
      '\u07ff',
      '\u0800',
      '\ud7ff',
      '\ue000',
      '\uffff',
      '🙂',
      '\u{10000}',
      '\u{10ffff}',
      '/',
    ];
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const words = Array.from({ length: 400 }, () =>
      Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join(''),
    );
    const sign = (n: number) => Math.sign(n);
    for (let i = 0; i + 1 < words.length; i++) {
      const [a, b] = [words[i]!, words[i + 1]!];
      expect(sign(compareUtf8(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
        sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
    }
    expect(compareUtf8('x\uffff', 'x🙂')).toBeLessThan(0);
    expect('x\uffff' < 'x🙂').toBe(false);
  });
});

describe('blake3 manifests', () => {
  const entries: ManifestEntry[] = [
    { path: 'b/c.txt', hash: 'a'.repeat(64), size: 3, executable: true },
    { path: 'a', hash: 'b'.repeat(64), size: 0, executable: false },
    { path: 'émoji 🙂\nnewline', hash: 'c'.repeat(64), size: 12, executable: false },
  ];

  it('are the same bytes whatever the input order', () => {
    const forward = manifestBytes(entries);
    expect(manifestBytes([...entries].reverse()).equals(forward)).toBe(true);
    expect(manifestBytes([entries[1]!, entries[2]!, entries[0]!]).equals(forward)).toBe(true);
  });

  it('round-trip through parseManifest', () => {
    expect(parseManifest(manifestBytes(entries))).toEqual([entries[1], entries[0], entries[2]]);
  });

  it('change when the executable bit or size of one entry changes', () => {
    const base = manifestBytes(entries);
    expect(
      manifestBytes([{ ...entries[0]!, executable: false }, entries[1]!, entries[2]!]).equals(base),
    ).toBe(false);
    expect(manifestBytes([{ ...entries[0]!, size: 4 }, entries[1]!, entries[2]!]).equals(base)).toBe(false);
  });

  it('reject duplicates, unsafe paths and garbage with HASH_BAD_MANIFEST', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isCairnError(error) ? error.code : String(error);
      }
      return 'no error';
    };
    expect(code(() => manifestBytes([entries[0]!, entries[0]!]))).toBe('HASH_BAD_MANIFEST');
    const evil = manifestBytes([{ ...entries[1]!, path: 'x' }])
      .toString()
      .replace('"x"', '"../../etc/passwd"');
    expect(code(() => parseManifest(evil))).toBe('HASH_BAD_MANIFEST');
    expect(code(() => parseManifest('[{"md5": "x", "relpath": "/abs"}]', 'md5'))).toBe('HASH_BAD_MANIFEST');
    expect(code(() => parseManifest('not a manifest\n'))).toBe('HASH_BAD_MANIFEST');
    expect(code(() => parseManifest(manifestBytes(entries).subarray(0, 100)))).toBe('HASH_BAD_MANIFEST');
  });
});
