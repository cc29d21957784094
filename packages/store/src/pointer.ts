import { promises as fs, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '@cairn/fs-atomic';
import { errnoCode, storeError } from './errors';
import { schemaProblem } from './schema';

/** Suffix of pointer files: `<data>.cairn` sits beside `<data>`. */
export const POINTER_SUFFIX = '.cairn';

/** The content of a pointer file. */
export interface Pointer {
  version: 1;
  algorithm: 'blake3';
  /** 64 hex digits for a file; for a directory, the manifest's digest + `.dir`. */
  hash: string;
  /** Bytes of the file, or the sum over a directory's files. */
  size: number;
  /** Directories only: number of files. */
  nfiles?: number;
  /** DVC's md5 of the same content (file md5 or `.dir` hash), when imported from DVC. */
  md5?: string;
  /** The data, relative to the folder holding the pointer file (POSIX separators). */
  path: string;
}

export function pointerFileFor(dataPath: string): string {
  return `${dataPath}${POINTER_SUFFIX}`;
}

/** The data a pointer file tracks (its `path`, resolved against the pointer's folder). */
export function dataPathOf(pointerFile: string, pointer: Pointer): string {
  return join(dirname(pointerFile), ...pointer.path.split('/'));
}

function invalid(file: string, pointer: string, message: string): Error {
  return storeError('POINTER_INVALID', `${file}: ${pointer || '(document)'} ${message}`, {
    data: { file, pointer },
    hint: 'pointer files are written by `cairn add`; see packages/store/schemas/pointer.schema.json',
  });
}

/** Parses and validates pointer text; errors name `file` and the JSON pointer of the bad field. */
export function parsePointer(text: string, file: string): Pointer {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(file, '', `is not valid JSON (${(error as Error).message})`);
  }
  const problem = schemaProblem('pointer', raw);
  if (problem) throw invalid(file, problem.pointer, problem.message);
  return raw as Pointer;
}

function notFound(pointerFile: string): Error {
  return storeError('POINTER_NOT_FOUND', `${pointerFile}: no such pointer file`, {
    data: { file: pointerFile },
    hint: 'track the data first with `cairn add`',
  });
}

export async function readPointer(pointerFile: string): Promise<Pointer> {
  let text: string;
  try {
    text = await fs.readFile(pointerFile, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw notFound(pointerFile);
    throw error;
  }
  return parsePointer(text, pointerFile);
}

/**
 * Synchronous twin of readPointer, for reading thousands of pointer files:
 * a few hundred bytes each, so one blocking read beats four thread-pool
 * round trips per file.
 */
export function readPointerSync(pointerFile: string): Pointer {
  let text: string;
  try {
    text = readFileSync(pointerFile, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw notFound(pointerFile);
    throw error;
  }
  return parsePointer(text, pointerFile);
}

/**
 * The pointer as text: fixed key order, two-space JSON, trailing newline, no
 * timestamps. The same content always gives the same bytes, so Nx (which
 * hashes pointer files) sees a change exactly when the data changes.
 */
export function serializePointer(pointer: Pointer): string {
  const ordered: Record<string, unknown> = {
    version: 1,
    algorithm: pointer.algorithm,
    hash: pointer.hash,
    size: pointer.size,
  };
  if (pointer.nfiles !== undefined) ordered.nfiles = pointer.nfiles;
  if (pointer.md5 !== undefined) ordered.md5 = pointer.md5;
  ordered.path = pointer.path;
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Writes `<data>.cairn` atomically (skipped when the bytes are already there). */
export async function writePointer(dataPath: string, pointer: Pointer): Promise<string> {
  const file = pointerFileFor(dataPath);
  const text = serializePointer({ ...pointer, path: basename(dataPath) });
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (current !== text) await writeFileAtomic(file, text);
  return file;
}
