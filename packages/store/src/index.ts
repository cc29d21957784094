import { loadConfigSync, layoutFor, loadLayout } from './config';
import { objectPath } from './layout';
import { objectPresent } from './objects';

export {
  findWorkspaceRoot,
  initWorkspace,
  loadConfig,
  saveConfig,
  defaultConfig,
  loadLayout,
  LINK_STRATEGIES,
  DEFAULT_LINK,
  defaultLink,
  placementStrategies,
  type LinkWarning,
  type CairnConfig,
  type RemoteConfig,
  type LinkStrategy,
  type Layout,
} from './config';
export {
  readPointer,
  parsePointer,
  serializePointer,
  writePointer,
  pointerFileFor,
  dataPathOf,
  POINTER_SUFFIX,
  type Pointer,
} from './pointer';
export {
  listPointers,
  mapLimit,
  selectPointers,
  confinedTarget,
  assertManifestSafe,
  type PointerRecord,
  type PathSource,
} from './paths';
export { add, storePath, type AddOptions, type StorePathOptions, type StoreProgress } from './add';
export { status, type StatusEntry, type DataState, type DirectoryChanges, type SharedObject } from './status';
export { checkout, materialize, unprotect, type CheckoutResult, type MaterializeOptions } from './checkout';
export { gc, referencedObjects, workspaceObjects, type GcObject, type GcOptions, type GcResult } from './gc';
export {
  nxCacheDirectories,
  workspaceReferences,
  type KeepReference,
  type WorkspaceReferences,
} from './keep';
export { verify, quarantineObject, type VerifyOptions, type VerifyResult } from './verify';
export { listObjectIds, readManifestObject } from './objects';
export {
  OBJECT_ID,
  isObjectId,
  assertObjectId,
  isDirId,
  digestOf,
  objectRelativePath,
  objectPath,
  CAIRN_DIR,
  CONFIG_FILE,
  CairnTree,
  cairnPath,
  CAIRN_GITIGNORE_LINES,
  ROOT_GITIGNORE_LINES,
} from './layout';
export { schemaDir } from './schema';
export { ConfigInvalidError } from './errors';

/** Where object `hash` (64 hex, or 64 hex + `.dir`) lives: `<cache>/b3/<2 hex>/<62 hex>[.dir]`. */
export function workspaceObjectPath(root: string, hash: string): string {
  return objectPath(layoutFor(root, loadConfigSync(root)).cacheDir, hash);
}

/** True when the store holds object `hash`. */
export async function hasObject(root: string, hash: string): Promise<boolean> {
  return objectPresent((await loadLayout(root)).cacheDir, hash);
}
