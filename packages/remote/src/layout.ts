import { join } from 'node:path';
import { InputError } from '@cairn/errors';

/** 64 hex digits (a file's BLAKE3) or 64 hex + `.dir` (a directory manifest). */
export const OBJECT_ID = /^[0-9a-f]{64}(\.dir)?$/;

export function assertObjectId(id: string): void {
  if (!OBJECT_ID.test(id)) {
    throw new InputError('REMOTE_BAD_OBJECT_ID', `"${id}" is not an object id`, {
      data: { id },
      hint: 'object ids are 64 lowercase hex digits, optionally followed by .dir',
    });
  }
}

/** `b3/<2 hex>/<62 hex>[.dir]`: the content-store layout, shared by local stores and every remote. */
export function objectRelPath(id: string): string {
  assertObjectId(id);
  return `b3/${id.slice(0, 2)}/${id.slice(2)}`;
}

export function objectFile(storeDir: string, id: string): string {
  return join(storeDir, ...objectRelPath(id).split('/'));
}

/** The BLAKE3 digest the object's bytes have. */
export function digestOf(id: string): string {
  return id.slice(0, 64);
}
