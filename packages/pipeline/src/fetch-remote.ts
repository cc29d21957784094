import { cairnError } from '@cairn/errors';
import {
  CONFIG_FILE,
  hasObject,
  loadConfig,
  loadLayout,
  materialize,
  referencedObjects,
  type MaterializeOptions,
  type Pointer,
} from '@cairn/store';
import { DataUnavailableError } from './errors';

/**
 * Brings the objects a pointer needs from the workspace's default remote into
 * the local store: the object itself, then (for a directory) every file its
 * manifest lists. Returns false when no default remote is configured.
 */
export async function fetchFromDefaultRemote(
  workspaceRoot: string,
  pointer: Pointer,
  pointerFile: string,
): Promise<boolean> {
  const config = await loadConfig(workspaceRoot);
  const name = config.defaultRemote;
  if (!name) return false;
  const url = config.remotes?.[name]?.url;
  if (!url) {
    throw cairnError('REMOTE_UNKNOWN', `${CONFIG_FILE}: defaultRemote "${name}" is not among remotes`, {
      data: { file: CONFIG_FILE, pointer: '/defaultRemote' },
      hint: 'run `cairn remote list` and `cairn remote add NAME URL --default`',
    });
  }
  // The remote library (and its S3 SDK) loads only when data must be fetched.
  const { openRemote, pullObjects } = await import('@cairn/remote');
  const { cacheDir } = await loadLayout(workspaceRoot);
  const remote = openRemote(url);
  const first = await pullObjects(cacheDir, [pointer.hash], remote);
  if (first.unavailable.length) {
    throw new DataUnavailableError(
      pointerFile,
      pointer.hash,
      `the data it points to (${pointer.hash}) is in neither the local store nor remote "${name}"`,
      { remote: name, hint: 'push it from the machine that has it: `cairn push`' },
    );
  }
  if (pointer.hash.endsWith('.dir')) {
    const rest = await pullObjects(cacheDir, await referencedObjects(workspaceRoot, [pointer]), remote);
    if (rest.unavailable.length) {
      throw new DataUnavailableError(
        pointerFile,
        pointer.hash,
        `${rest.unavailable.length} file object(s) of ${pointer.hash} are missing on remote "${name}"`,
        {
          remote: name,
          missing: rest.unavailable.slice(0, 10),
          hint: 'push them from the machine that has them: `cairn push`',
        },
      );
    }
  }
  return true;
}

/**
 * Makes sure the objects a pointer needs are in the local store, fetching
 * them from the default remote when they are not; fails naming the pointer
 * file when neither has them.
 */
export async function ensureObjectsLocal(
  workspaceRoot: string,
  pointer: Pointer,
  pointerFile: string,
): Promise<void> {
  if (await hasObject(workspaceRoot, pointer.hash)) return;
  if (await fetchFromDefaultRemote(workspaceRoot, pointer, pointerFile)) return;
  throw new DataUnavailableError(
    pointerFile,
    pointer.hash,
    `the data it points to (${pointer.hash}) is not in the local content store, and no default remote is configured`,
  );
}

/**
 * Writes a pointer's content at `target` (inside the workspace), verified
 * while it is written. A corrupt stored object has then been quarantined
 * and nothing written (a missing one, e.g. quarantined earlier, neither):
 * its good copy is fetched from the default remote and the write tried
 * again; without a remote the STORE_OBJECT_CORRUPT (or _MISSING) error
 * stands.
 */
export async function materializeVerified(
  workspaceRoot: string,
  pointer: Pointer,
  target: string,
  pointerFile: string,
  options: MaterializeOptions = {},
): Promise<void> {
  const source = options.source ?? { file: pointerFile, field: '/path' };
  const tried = new Set<string>();
  for (;;) {
    try {
      await materialize(workspaceRoot, pointer, target, { ...options, source });
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'STORE_OBJECT_CORRUPT' && code !== 'STORE_OBJECT_MISSING') throw error;
      // A quarantined object is missing on the next try: fetch once per distinct failure, then give up.
      const data = (error as { data?: { ids?: string[]; id?: string } }).data;
      const key = (data?.ids ?? [data?.id]).join(',');
      if (tried.has(key)) throw error;
      tried.add(key);
      if (!(await fetchFromDefaultRemote(workspaceRoot, pointer, pointerFile))) throw error;
    }
  }
}
