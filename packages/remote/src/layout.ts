import { isObjectId, OBJECT_ID_HINT, objectPath, objectRelativePath } from '@cairn/store/layout';
import { InputError } from '@cairn/errors';

export { digestOf, OBJECT_ID } from '@cairn/store/layout';

/** A remote refuses a bad id with its own code: the id came from a remote's answer or a caller, not the store. */
export function assertObjectId(id: string): void {
  if (!isObjectId(id)) {
    throw new InputError('REMOTE_BAD_OBJECT_ID', `"${id}" is not an object id`, {
      data: { id },
      hint: OBJECT_ID_HINT,
    });
  }
}

/** `b3/<2 hex>/<62 hex>[.dir]`: the content-store layout, shared by local stores and every remote. */
export function objectRelPath(id: string): string {
  assertObjectId(id);
  return objectRelativePath(id);
}

export function objectFile(storeDir: string, id: string): string {
  assertObjectId(id);
  return objectPath(storeDir, id);
}
