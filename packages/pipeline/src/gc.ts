import { experimentArtifacts } from '@cairn/experiments';
import { registeredArtifacts } from '@cairn/registry';
import { gc, type GcOptions, type GcResult } from '@cairn/store';

/**
 * The store's gc for a workspace. Besides pointer files, Nx cache entries
 * and train run records, it keeps every artifact a registered model version
 * or an experiment record names: both live in git refs, travel between
 * clones and outlive the local run history, so a model that can still be
 * promoted, served or compared is never freed.
 */
export function collectGarbage(
  workspaceRoot: string,
  options: Omit<GcOptions, 'alsoKeep'> = {},
): Promise<GcResult> {
  return gc(workspaceRoot, {
    ...options,
    alsoKeep: async () => [
      ...(await registeredArtifacts(workspaceRoot)),
      ...(await experimentArtifacts(workspaceRoot)),
    ],
  });
}
