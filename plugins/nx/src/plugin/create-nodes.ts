import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import {
  type CreateNodes,
  type CreateNodesContext,
  type CreateNodesResult,
  createNodesFromFiles,
} from '@nx/devkit';
// Nx's own plugins (jest, js, vite…) keep their inference caches with these helpers, from this entry.
import { hashObject, PluginCache, workspaceDataDirectory } from '@nx/devkit/internal';
import {
  configKindOf,
  parseConfig,
  projectName,
  toolkitVersion,
  type DatasetConfig,
  type ExperimentConfig,
  type ModelConfig,
} from '@cairn/pipeline/project-config';
import { datasetProject, experimentProject, modelProject, type InferredProject } from './targets';

export interface CairnPluginOptions {
  /** Reserved for future options; part of the inference cache key. */
  [key: string]: unknown;
}

const OUTPUT_ROOT = 'dist/cairn';

/**
 * What inference produces depends on this plugin's code as well as on the
 * config: the target builders' source is part of the cache key, so a changed
 * plugin (even without a version bump, as in development) never serves stale
 * targets.
 */
const INFERENCE_FINGERPRINT = hashObject({
  targets: readFileSync(join(__dirname, `targets${extname(__filename)}`), 'utf8'),
});

export const CONFIG_GLOB = '**/{dataset,model,experiment}.json';

/**
 * Inferred projects keyed by a hash of (config file, its bytes), in a file per
 * (options, toolkit version, plugin code) in Nx's workspace data directory, as
 * Nx's own plugins do: graph creation re-parses and re-validates only configs
 * that changed, and PluginCache evicts entries no longer asked for.
 */
function inferenceCache(options: CairnPluginOptions): PluginCache<InferredProject> {
  const key = hashObject({ options, toolkitVersion, plugin: INFERENCE_FINGERPRINT });
  return new PluginCache<InferredProject>(join(workspaceDataDirectory, `cairn-nx-${key}.hash`));
}

export function inferProject(configFile: string, text: string): InferredProject {
  const kind = configKindOf(basename(configFile))!;
  const projectRoot = dirname(configFile);
  switch (kind) {
    case 'dataset': {
      const config = parseConfig<DatasetConfig>('dataset', text, configFile);
      return datasetProject(projectName(config, configFile), config, projectRoot);
    }
    case 'model': {
      const config = parseConfig<ModelConfig>('model', text, configFile);
      return modelProject(projectName(config, configFile), config, projectRoot);
    }
    case 'experiment': {
      const config = parseConfig<ExperimentConfig>('experiment', text, configFile);
      return experimentProject(projectName(config, configFile), config, projectRoot);
    }
  }
}

function toResult(configFile: string, project: InferredProject): CreateNodesResult {
  return { projects: { [dirname(configFile)]: { ...project, root: dirname(configFile) } } };
}

export const createNodesFunction = async (
  configFiles: readonly string[],
  options: CairnPluginOptions | undefined,
  context: CreateNodesContext,
) => {
  const cache = inferenceCache(options ?? {});
  try {
    // Cairn's own outputs (artifacts under dist/cairn) may hold files named like configs.
    const files = configFiles.filter((file) => !file.startsWith(`${OUTPUT_ROOT}/`));
    return await createNodesFromFiles(
      (configFile) => {
        const text = readFileSync(join(context.workspaceRoot, configFile), 'utf8');
        const key = hashObject({ configFile, text });
        let project = cache.get(key);
        if (!project) {
          project = inferProject(configFile, text);
          cache.set(key, project);
        }
        return toResult(configFile, project);
      },
      files,
      options ?? {},
      context,
    );
  } finally {
    // A read-only data directory only costs speed: PluginCache logs instead of throwing.
    cache.writeToDisk();
  }
};

export const createNodes: CreateNodes<CairnPluginOptions> = [CONFIG_GLOB, createNodesFunction];
