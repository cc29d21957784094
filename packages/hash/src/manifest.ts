import { CairnError, cairnError } from '@cairn/errors';
import { assertAlgorithm, type HashAlgorithm } from './backend';

/** One file of a directory: `path` is relative to the directory, POSIX separators, UTF-8. */
export interface ManifestEntry {
  path: string;
  hash: string;
  size: number;
  executable: boolean;
}

export const MANIFEST_HEADER = '{"format":"cairn-manifest","version":1,"algorithm":"blake3"}';

/**
 * Byte order of the UTF-8 encodings (= code point order), without encoding:
 * JavaScript's `<` compares UTF-16 units, which puts U+10000 and above
 * (surrogates, D800–DFFF) before U+E000–U+FFFF; remapping the first differing
 * unit fixes exactly that.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

export function sortEntries(entries: readonly ManifestEntry[]): ManifestEntry[] {
  return [...entries].sort((a, b) => compareUtf8(a.path, b.path));
}

function isSorted(entries: readonly ManifestEntry[]): boolean {
  for (let i = 1; i < entries.length; i++)
    if (compareUtf8(entries[i - 1]!.path, entries[i]!.path) > 0) return false;
  return true;
}

/** Python's json.dumps(ensure_ascii=True): everything outside printable ASCII as \uXXXX (lowercase hex). */
function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The canonical bytes a directory hash is taken over; entries are sorted here,
 * whatever order they come in.
 *
 * - blake3: a header line, then one JSON object per line with keys in a fixed
 *   order: `{"path":…,"hash":…,"size":…,"executable":…}`.
 * - md5: exactly DVC's `.dir` object: Python `json.dumps(sorted_list,
 *   sort_keys=True)` of `{"md5", "relpath"}` entries (", " / ": " separators,
 *   ASCII escapes), so the md5 of these bytes is DVC's `.dir` hash.
 */
export function manifestBytes(
  entries: readonly ManifestEntry[],
  algorithm: HashAlgorithm = 'blake3',
): Buffer {
  assertAlgorithm(algorithm);
  const sorted = isSorted(entries) ? entries : sortEntries(entries);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.path === sorted[i - 1]!.path) {
      throw cairnError('HASH_BAD_MANIFEST', `manifest lists ${JSON.stringify(sorted[i]!.path)} twice`, {
        data: { path: sorted[i]!.path },
      });
    }
  }
  if (algorithm === 'md5') {
    const items = sorted.map(
      (entry) => `{"md5": ${pythonJsonString(entry.hash)}, "relpath": ${pythonJsonString(entry.path)}}`,
    );
    return Buffer.from(`[${items.join(', ')}]`, 'utf8');
  }
  const lines = [MANIFEST_HEADER];
  for (const entry of sorted) {
    lines.push(
      `{"path":${JSON.stringify(entry.path)},"hash":${JSON.stringify(entry.hash)},"size":${entry.size},"executable":${entry.executable ? 'true' : 'false'}}`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** A relative POSIX path that stays inside its directory: no empty, `.` or `..` segment, no leading `/`, no NUL. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.includes('\0') || path.startsWith('/')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function badManifest(message: string, data: Record<string, unknown> = {}): CairnError {
  return cairnError('HASH_BAD_MANIFEST', message, {
    data,
    hint: 'the object may be corrupt: run verify and re-add the directory',
  });
}

/**
 * Reads manifest bytes back into entries. DVC (md5) manifests carry no size or
 * executable bit: those entries come back with `size: -1` and `executable: false`.
 */
export function parseManifest(
  bytes: Uint8Array | string,
  algorithm: HashAlgorithm = 'blake3',
): ManifestEntry[] {
  assertAlgorithm(algorithm);
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  if (algorithm === 'md5') {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (error) {
      throw badManifest(`DVC manifest is not JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(list)) throw badManifest('DVC manifest is not a JSON list', { pointer: '' });
    return list.map((item: unknown, index) => {
      const { md5, relpath } = (item ?? {}) as { md5?: unknown; relpath?: unknown };
      if (typeof md5 !== 'string' || typeof relpath !== 'string') {
        throw badManifest(`DVC manifest entry ${index} needs string "md5" and "relpath"`, {
          pointer: `/${index}`,
        });
      }
      if (!isSafeRelativePath(relpath))
        throw badManifest(`DVC manifest entry ${index} has an unsafe relpath`, {
          pointer: `/${index}/relpath`,
        });
      return { path: relpath, hash: md5, size: -1, executable: false };
    });
  }
  const lines = text.split('\n');
  if (lines[0] !== MANIFEST_HEADER) throw badManifest('not a cairn manifest (bad header line)', { line: 1 });
  if (lines[lines.length - 1] !== '')
    throw badManifest('cairn manifest does not end with a newline', { line: lines.length });
  const entries: ManifestEntry[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch {
      throw badManifest(`cairn manifest line ${i + 1} is not JSON`, { line: i + 1 });
    }
    const { path, hash, size, executable } = (value ?? {}) as Record<string, unknown>;
    if (
      typeof path !== 'string' ||
      typeof hash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(hash) ||
      typeof size !== 'number' ||
      !Number.isSafeInteger(size) ||
      size < 0 ||
      typeof executable !== 'boolean'
    ) {
      throw badManifest(`cairn manifest line ${i + 1} needs path, 64-hex hash, size ≥ 0 and executable`, {
        line: i + 1,
      });
    }
    if (!isSafeRelativePath(path))
      throw badManifest(`cairn manifest line ${i + 1} has an unsafe path`, { line: i + 1, path });
    entries.push({ path, hash, size, executable });
  }
  return entries;
}
