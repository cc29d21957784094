import { cairnError } from '@cairn/errors';
import {
  checkout,
  CONFIG_FILE,
  loadConfig,
  loadLayout,
  referencedObjects,
  selectPointers,
  workspaceObjects,
  type CheckoutResult,
  type MaterializeOptions,
  type Pointer,
} from '@cairn/store';
import { openRemote, type OpenRemoteOptions } from './open';
import { pullObjects, pushObjects, type TransferOptions, type TransferResult } from './sync';
import type { Remote } from './transport';

export interface WorkspaceRemote {
  name: string;
  url: string;
  remote: Remote;
}

/**
 * Opens a remote of the workspace config: `name`, else `defaultRemote`. The
 * token of an HTTP remote comes from `options.token`, else CAIRN_REMOTE_TOKEN,
 * else the remote's `token` field (discouraged: the config is committed).
 */
export async function openWorkspaceRemote(
  root: string,
  name?: string,
  options: OpenRemoteOptions = {},
): Promise<WorkspaceRemote> {
  const config = await loadConfig(root);
  const chosen = name ?? config.defaultRemote;
  if (!chosen) {
    throw cairnError('REMOTE_NOT_CONFIGURED', `no remote named and no defaultRemote in ${CONFIG_FILE}`, {
      data: { file: CONFIG_FILE, pointer: '/defaultRemote' },
      hint: 'add one with `cairn remote add NAME URL --default`, or name one with --remote NAME',
    });
  }
  const entry = config.remotes[chosen];
  if (!entry) {
    throw cairnError('REMOTE_UNKNOWN', `no remote named "${chosen}" in ${CONFIG_FILE}`, {
      data: { file: CONFIG_FILE, pointer: `/remotes/${chosen}` },
      hint: `known remotes: ${Object.keys(config.remotes).join(', ') || '(none; add one with `cairn remote add`)'}`,
    });
  }
  const token =
    options.token ??
    process.env.CAIRN_REMOTE_TOKEN ??
    (typeof entry.token === 'string' ? entry.token : undefined);
  return { name: chosen, url: entry.url, remote: openRemote(entry.url, { ...options, token }) };
}

async function pointersOf(root: string, paths: string[] | undefined): Promise<Pointer[]> {
  return (await selectPointers(root, paths && paths.length > 0 ? paths : undefined)).map(
    (record) => record.pointer,
  );
}

function merge(results: TransferResult[]): TransferResult {
  return {
    transferred: results.flatMap((result) => result.transferred),
    skipped: results.reduce((sum, result) => sum + result.skipped, 0),
    unavailable: results.flatMap((result) => result.unavailable),
  };
}

/**
 * Pushes the objects (files, `.dir` manifests and their members) of the
 * selected pointers. Without paths: everything anything in the workspace
 * refers to, the same set gc keeps (pointers in every folder, trained
 * artifacts under dist/cairn and in the Nx cache, run records), so another
 * machine that gets a task from the Nx remote cache can fetch its artifact.
 */
export async function pushWorkspace(
  root: string,
  remote: Remote,
  paths?: string[],
  options: TransferOptions = {},
): Promise<TransferResult> {
  const { cacheDir } = await loadLayout(root);
  const ids =
    paths && paths.length > 0
      ? await referencedObjects(root, await pointersOf(root, paths))
      : await workspaceObjects(root);
  return pushObjects(cacheDir, ids, remote, options);
}

/**
 * Fetches into the local cache what the selected pointers need and it lacks:
 * first the pointers' own objects (a folder's `.dir` manifest names its
 * files), then the files the manifests list. Does not check data out.
 */
export async function pullWorkspace(
  root: string,
  remote: Remote,
  paths?: string[],
  options: TransferOptions = {},
): Promise<TransferResult> {
  const pointers = await pointersOf(root, paths);
  const { cacheDir } = await loadLayout(root);
  const top = [...new Set(pointers.map((pointer) => pointer.hash))];
  const first = await pullObjects(cacheDir, top, remote, options);
  const members = (await referencedObjects(root, pointers)).filter((id) => !top.includes(id));
  const second = await pullObjects(cacheDir, members, remote, options);
  return merge([first, second]);
}

export interface RepairedCheckout extends CheckoutResult {
  /** Objects found corrupt during checkout, quarantined, and fetched again from the remote. */
  repaired: string[];
}

/**
 * Checks data out; when checkout finds a stored object corrupt (it has then
 * quarantined it and written nothing for that data), fetches good copies
 * from `remote` (default: the workspace's default remote) and checks out
 * again. Without a remote, or when the remote lacks the object, the
 * STORE_OBJECT_CORRUPT error stands. Each round removes at least one
 * corrupt object from the store, so the loop ends.
 */
export async function checkoutRepairing(
  root: string,
  paths: string[] | undefined,
  options: MaterializeOptions = {},
  remote?: Remote,
): Promise<RepairedCheckout> {
  const repaired: string[] = [];
  const restored = new Set<string>();
  let opened: WorkspaceRemote | undefined;
  try {
    for (;;) {
      try {
        const result = await checkout(root, paths, options);
        result.restored.forEach((path) => restored.add(path));
        return {
          ...result,
          restored: [...restored],
          unchanged: result.unchanged.filter((path) => !restored.has(path)),
          repaired,
        };
      } catch (error) {
        if ((error as { code?: string }).code !== 'STORE_OBJECT_CORRUPT') throw error;
        const ids = ((error as { data?: { ids?: string[] } }).data?.ids ?? []).filter(
          (id) => !repaired.includes(id),
        );
        if (ids.length === 0) throw error;
        if (!remote && !opened) {
          if (!(await loadConfig(root)).defaultRemote) throw error;
          opened = await openWorkspaceRemote(root);
        }
        const source = remote ?? opened!.remote;
        // The quarantined object is now absent: pulling the selection fetches it (and a corrupt manifest's members).
        const pulled = await pullWorkspace(root, source, paths);
        if (ids.some((id) => pulled.unavailable.includes(id))) throw error;
        repaired.push(...ids);
      }
    }
  } finally {
    await opened?.remote.close();
  }
}
