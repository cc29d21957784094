import type {
  CanaryRules,
  CanaryVerdict,
  DeliveryRegistry,
  LaneInput,
  LaneName,
  TrafficPolicy,
} from '@cairn/serve';
import { registryDelivery } from './registry-delivery';
import { startServe, type RunningServe, type ServeOptions } from './serve';
import { resolveTrainable } from './trainable';
import { discoverProjects } from './workspace';

/**
 * What alias-based serving needs from the model registry (@cairn/registry,
 * issue 13): who holds an alias, with its artifact verified against the
 * registry's hash before anything loads it; moving an alias; the audit trail.
 */
export interface AliasRegistry extends DeliveryRegistry {
  /** The version holding `alias` and its artifact folder (hash-verified), or undefined when nobody holds it. */
  resolveAlias(
    alias: string,
  ): Promise<{ version: string; artifactDir: string; expectedHash?: string } | undefined>;
}

export interface AliasServeOptions extends Omit<ServeOptions, 'alias' | 'challenger' | 'modelVersion'> {
  registry: AliasRegistry;
  /** Alias of the version that answers by default (default `champion`). */
  champion?: string;
  /** Alias of the version under test, served beside it under `traffic` when someone holds it. */
  challenger?: string;
  traffic?: TrafficPolicy;
  /** The rules `analyze()` applies; thresholds default from the model's monitoring config at the caller. */
  canary?: CanaryRules;
}

export interface AliasServe extends RunningServe {
  /**
   * Resolves both aliases again and swaps what moved (a promotion or
   * rollback in the registry): in-flight requests finish on the old version.
   * Returns the lanes that changed.
   */
  sync(): Promise<LaneName[]>;
  /**
   * Runs the canary analysis on the window since the challenger started (or
   * the last sync); promotes or rolls back by `canary` rules. Undefined
   * without a challenger or rules.
   */
  analyze(): Promise<CanaryVerdict | undefined>;
}

/**
 * `cairn serve` on registry aliases: the champion alias answers, the
 * challenger alias (when held) gets its share by `traffic`; every series
 * carries version and alias. `sync()` follows alias moves without a restart;
 * `analyze()` closes a canary window and acts (alias move + audit entry).
 */
export async function serveAliases(options: AliasServeOptions): Promise<AliasServe> {
  const { registry } = options;
  const championAlias = options.champion ?? 'champion';
  const challengerAlias = options.challenger ?? 'challenger';
  const champion = await registry.resolveAlias(championAlias);
  if (!champion) {
    const { cairnError } = await import('@cairn/errors');
    throw cairnError('SERVE_ALIAS_UNSET', `no version holds the alias ${championAlias}`, {
      data: { alias: championAlias },
      hint: `point it at a registered version first (cairn model alias <model> ${championAlias} <version>)`,
    });
  }
  const { CanaryController, loadModel } = await import('@cairn/serve');
  const held = options.traffic ? await registry.resolveAlias(challengerAlias) : undefined;
  // After a promotion both aliases name one version until the registry moves the challenger on.
  const challenger = held?.version === champion.version ? undefined : held;
  const {
    registry: _registry,
    champion: _champion,
    challenger: _challenger,
    traffic: _traffic,
    canary: _canary,
    ...serve
  } = options;
  const handle = await startServe(champion.artifactDir, {
    ...serve,
    alias: championAlias,
    modelVersion: champion.version,
    ...(champion.expectedHash ? { expectedHash: champion.expectedHash } : {}),
    ...(challenger && options.traffic
      ? {
          challenger: {
            target: challenger.artifactDir,
            version: challenger.version,
            ...(challenger.expectedHash ? { expectedHash: challenger.expectedHash } : {}),
            traffic: options.traffic,
          },
        }
      : {}),
  });
  const traffic = handle.server.traffic;
  const load = async (resolved: {
    version: string;
    artifactDir: string;
    expectedHash?: string;
  }): Promise<LaneInput> => ({
    model: await loadModel(resolved.artifactDir, {
      python: options.python,
      ...(resolved.expectedHash ? { expectedHash: resolved.expectedHash } : {}),
    }),
    version: resolved.version,
  });
  // A window starts when a challenger starts serving: the controller's first snapshot.
  const watch = () =>
    options.canary && traffic.lanes().challenger
      ? new CanaryController(traffic, registry, options.canary)
      : undefined;
  let controller = watch();
  return {
    ...handle,
    async sync() {
      const changed: LaneName[] = [];
      const lanes = traffic.lanes();
      const nowChampion = await registry.resolveAlias(championAlias);
      if (nowChampion && nowChampion.version !== lanes.champion?.version) {
        if (lanes.challenger?.version === nowChampion.version) await traffic.promote();
        else await traffic.replace('champion', await load(nowChampion));
        changed.push('champion');
      }
      const nowChallenger = options.traffic ? await registry.resolveAlias(challengerAlias) : undefined;
      const current = traffic.lanes().challenger;
      if (!nowChallenger && current) {
        await traffic.rollback();
        changed.push('challenger');
      } else if (nowChallenger && options.traffic && nowChallenger.version !== current?.version) {
        if (nowChallenger.version !== traffic.lanes().champion?.version) {
          await traffic.setChallenger(await load(nowChallenger), options.traffic);
          changed.push('challenger');
        }
      }
      if (changed.length > 0) controller = watch();
      return changed;
    },
    async analyze() {
      const verdict = await controller?.evaluate();
      if (verdict && verdict.decision !== 'wait') controller = undefined;
      return verdict;
    },
  };
}

export interface ServeProjectAliasesOptions {
  workspaceRoot: string;
  project: string;
  port?: number;
  host?: string;
  traffic?: TrafficPolicy;
  /** Seconds between alias syncs and canary analyses (default 60; 0: only by hand). */
  interval?: number;
  log?: (line: string) => void;
}

/**
 * The `serve` target on registry aliases: the model's `champion` answers, its
 * `challenger` (when held) gets its `traffic` share; every `interval` the
 * server follows alias moves and runs the canary analysis with the model's
 * monitoring thresholds, promoting or rolling back with an audit entry.
 */
export async function serveProjectAliases(options: ServeProjectAliasesOptions): Promise<AliasServe> {
  const { workspaceRoot, project } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const trainable = resolveTrainable(await discoverProjects(workspaceRoot), project);
  const { resolveThresholds } = await import('@cairn/monitoring');
  const registry = registryDelivery(workspaceRoot, trainable.name);
  const served = await serveAliases({
    registry,
    name: trainable.name,
    port: options.port,
    host: options.host,
    traffic: options.traffic ?? { mode: 'canary', weight: 10 },
    canary: { thresholds: resolveThresholds(trainable.config.monitoring) },
  }).catch(async (error: unknown) => {
    await registry.dispose();
    throw error;
  });
  const seconds = options.interval ?? 60;
  const timer =
    seconds > 0
      ? setInterval(() => {
          void (async () => {
            const verdict = await served.analyze();
            if (verdict && verdict.decision !== 'wait')
              log(`cairn: ${trainable.name}: canary ${verdict.decision}: ${verdict.reason}`);
            const moved = await served.sync();
            if (moved.length > 0)
              log(`cairn: ${trainable.name}: now serving ${JSON.stringify(served.server.traffic.lanes())}`);
          })().catch((error: unknown) => log(`cairn: ${trainable.name}: canary: ${String(error)}`));
        }, seconds * 1000)
      : undefined;
  timer?.unref();
  return {
    ...served,
    async close() {
      if (timer) clearInterval(timer);
      await served.close();
      await registry.dispose();
    },
  };
}
