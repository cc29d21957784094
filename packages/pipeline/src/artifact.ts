import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readPointer } from '@cairn/store';
import { ArtifactInvalidError } from './errors';
import { ensureObjectsLocal, materializeVerified } from './fetch-remote';
import type { Trainable } from './trainable';
import { outputPaths } from './workspace';

/**
 * The trained artifact's folder, restored from the content store when only
 * its pointer is on disk (after an Nx cache hit, or on another machine).
 * Restored like any checkout (the workspace's link policy: reflink, else a
 * verified copy), never hardlinked by default: a retrain or a tool that
 * truncates and rewrites a model file in dist/cairn would otherwise rewrite
 * the stored object.
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
    await materializeVerified(workspaceRoot, pointer, dir, paths.artifactPointer);
  }
  return { dir, hash: pointer.hash };
}
