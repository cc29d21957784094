import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import {
  readJsonFile,
  writeJsonFile,
  type CreateNodes,
  type CreateNodesContext,
  type CreateNodesResult,
  createNodesFromFiles,
} from '@nx/devkit';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import {
  parseConfig,
  projectName,
  toolkitVersion,
  type ConfigKind,
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
const INFERENCE_FINGERPRINT = createHash('sha256')
  .update(readFileSync(join(__dirname, `targets${extname(__filename)}`)))
  .digest('hex')
  .slice(0, 16);

export const CONFIG_GLOB = '**/{dataset,model,experiment}.json';

const KIND_BY_FILE: Record<string, ConfigKind> = {
  'dataset.json': 'dataset',
  'model.json': 'model',
  'experiment.json': 'experiment',
};

/**
 * Inferred projects keyed by a hash of (config file bytes, options, toolkit
 * version), kept in Nx's workspace data directory like Nx's own plugins do,
 * so graph creation re-parses and re-validates only configs that changed.
 */
class InferenceCache {
  private readonly file: string;
  private entries: Record<string, InferredProject> = {};
  private used: Record<string, InferredProject> = {};
  private dirty = false;

  constructor(optionsHash: string) {
    this.file = join(workspaceDataDirectory, `cairn-nx-${optionsHash}.json`);
    try {
      if (existsSync(this.file)) this.entries = readJsonFile(this.file);
    } catch {
      this.entries = {};
    }
  }

  get(key: string, compute: () => InferredProject): InferredProject {
    const hit = this.entries[key];
    const value = hit ?? compute();
    if (!hit) this.dirty = true;
    this.used[key] = value;
    return value;
  }

  save(): void {
    // Only entries used in this run are kept, so the file never grows with stale configs.
    if (!this.dirty && Object.keys(this.used).length === Object.keys(this.entries).length) return;
    try {
      writeJsonFile(this.file, this.used);
    } catch {
      /* a read-only data directory only costs speed */
    }
  }
}

function hashOf(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 32);
}

export function inferProject(configFile: string, text: string): InferredProject {
  const kind = KIND_BY_FILE[basename(configFile)]!;
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
  const cache = new InferenceCache(
    hashOf(JSON.stringify(options ?? {}), toolkitVersion, INFERENCE_FINGERPRINT),
  );
  try {
    // Cairn's own outputs (artifacts under dist/cairn) may hold files named like configs.
    const files = configFiles.filter((file) => !file.startsWith(`${OUTPUT_ROOT}/`));
    return await createNodesFromFiles(
      (configFile) => {
        const text = readFileSync(join(context.workspaceRoot, configFile), 'utf8');
        return toResult(
          configFile,
          cache.get(hashOf(configFile, text), () => inferProject(configFile, text)),
        );
      },
      files,
      options ?? {},
      context,
    );
  } finally {
    cache.save();
  }
};

export const createNodes: CreateNodes<CairnPluginOptions> = [CONFIG_GLOB, createNodesFunction];
