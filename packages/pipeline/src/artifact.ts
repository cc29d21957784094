import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { materialize, readPointer, type LinkStrategy } from '@cairn/store';
import { ArtifactInvalidError } from './errors';
import { ensureObjectsLocal } from './fetch-remote';
import type { Trainable } from './trainable';
import { outputPaths } from './workspace';

/**
 * Artifacts under dist/cairn/<project>/model are a read-only view of the
 * store that Cairn manages (nobody edits a trained model in place), so they
 * are hardlinked even for root, for whom the store's default is to copy: a
 * cache hit of a large model then costs a link, not a copy.
 */
export const ARTIFACT_LINKS: LinkStrategy[] = ['reflink', 'hardlink', 'copy'];

/**
 * The trained artifact's folder, linked out of the content store when only
 * its pointer is on disk (after an Nx cache hit, or on another machine).
 */
export async function ensureArtifact(
  workspaceRoot: string,
  trainable: Trainable,
): Promise<{ dir: string; hash: string }> {
  const paths = outputPaths(trainable.root);
  const pointerFile = join(workspaceRoot, paths.artifactPointer);
  if (!existsSync(pointerFile)) {
    throw new ArtifactInvalidError(
      trainable.name,
      paths.artifactPointer,
      `is missing: run \`nx run ${trainable.name}:train\` first`,
    );
  }
  const pointer = await readPointer(pointerFile);
  const dir = join(workspaceRoot, paths.artifactDir);
  if (!existsSync(join(dir, 'cairn-model.json'))) {
    await ensureObjectsLocal(workspaceRoot, pointer, paths.artifactPointer);
    await rm(dir, { recursive: true, force: true });
    await materialize(workspaceRoot, pointer, dir, { link: ARTIFACT_LINKS });
  }
  return { dir, hash: pointer.hash };
}
