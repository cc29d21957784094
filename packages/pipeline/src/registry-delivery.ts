import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cairnError, isCairnError } from '@cairn/errors';
import { appendAudit, resolveModel, setAlias, type ActorOptions } from '@cairn/registry';
import { materialize } from '@cairn/store';
import type { CanaryAuditEntry } from '@cairn/serve';
import type { AliasRegistry } from './alias-serving';

/** What serving on aliases keeps of a registry binding: the interface, and the scratch folders to remove. */
export interface RegistryDelivery extends AliasRegistry {
  dispose(): Promise<void>;
}

/**
 * Binds alias serving to the git-native registry of `workspaceRoot`
 * (@cairn/registry): an alias resolves to its registered version, whose
 * artifact is materialized from the content store (verified while copying)
 * and loaded against its registered hash; the `version` label is the
 * artifact hash prefix, as `cairn task serve` and the deploy target use.
 * Moving an alias is a compare-and-swap against the holder this binding last
 * resolved (a concurrent promotion fails with REGISTRY_ALIAS_CONFLICT rather
 * than being overwritten); each canary decision is an audit entry
 * (`delivery.canary-promote` / `delivery.canary-rollback`).
 */
export function registryDelivery(
  workspaceRoot: string,
  model: string,
  options: ActorOptions = {},
): RegistryDelivery {
  const scratches: string[] = [];
  /** version label → registry version number, for what this binding has resolved. */
  const numbers = new Map<string, number>();
  const held = new Map<string, number>();
  const label = (hash: string) => hash.slice(0, 12);
  return {
    async resolveAlias(alias) {
      let version;
      try {
        version = await resolveModel(workspaceRoot, { kind: 'alias', model, alias });
      } catch (error) {
        if (isCairnError(error, 'REGISTRY_ALIAS_NOT_FOUND')) return undefined;
        throw error;
      }
      const scratch = await fs.mkdtemp(join(tmpdir(), 'cairn-alias-'));
      scratches.push(scratch);
      const artifactDir = join(scratch, 'artifact');
      await materialize(
        workspaceRoot,
        { version: 1, algorithm: 'blake3', ...version.artifact, path: 'artifact' },
        artifactDir,
        { within: scratch, source: { file: `${model}#${alias}`, field: '/artifact' } },
      );
      numbers.set(label(version.artifact.hash), version.version);
      held.set(alias, version.version);
      return { version: label(version.artifact.hash), artifactDir, expectedHash: version.artifact.hash };
    },
    async moveAlias(alias, versionLabel, why) {
      const number = numbers.get(versionLabel);
      if (number === undefined)
        throw cairnError(
          'INTERNAL_INVARIANT',
          `alias move to ${versionLabel}, a version this binding never resolved`,
          {
            data: { model, alias, version: versionLabel },
          },
        );
      await setAlias(
        workspaceRoot,
        { model, alias, version: number, why, expected: held.get(alias) ?? null },
        options,
      );
      held.set(alias, number);
    },
    async audit(entry: CanaryAuditEntry) {
      await appendAudit(
        workspaceRoot,
        {
          kind: `delivery.${entry.action}`,
          subject: model,
          why: entry.reason,
          what: {
            champion: numbers.get(entry.champion) ?? entry.champion,
            challenger: numbers.get(entry.challenger) ?? entry.challenger,
            labels: { champion: entry.champion, challenger: entry.challenger },
            checks: entry.checks,
            window: entry.window,
          },
        },
        options,
      );
    },
    async dispose() {
      await Promise.all(scratches.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    },
  };
}
