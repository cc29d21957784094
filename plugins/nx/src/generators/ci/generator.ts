import { join } from 'node:path';
import { generateFiles, logger, type Tree } from '@nx/devkit';
import { UsageError } from '@cairn/errors';
import { templatesRoot } from '../../lib/templates';
import type { CiGeneratorSchema } from './schema';

export type CiProvider = CiGeneratorSchema['provider'];

export const CI_PROVIDERS: readonly CiProvider[] = ['github', 'gitlab', 'jenkins'];

/** The file each provider's template produces. */
export const CI_FILES: Record<CiProvider, string> = {
  github: '.github/workflows/cairn.yml',
  gitlab: '.gitlab-ci.yml',
  jenkins: 'Jenkinsfile',
};

/** GitHub environments: the write token is a secret of the first, restricted to the main branch. */
const WRITE_ENVIRONMENT = 'cairn-main';
const READ_ENVIRONMENT = 'cairn-pr';

/** The plugin's `templates/ci/<provider>/files`. */
export function templatesDir(provider: CiProvider): string {
  return join(templatesRoot(), 'ci', provider, 'files');
}

function check(pattern: RegExp, value: string, field: string): string {
  if (!pattern.test(value))
    throw new UsageError(
      'OPTION_INVALID',
      `--${field} "${value}" has characters a CI file cannot hold safely (allowed: ${pattern.source})`,
      { data: { option: field, value } },
    );
  return value;
}

const SETUP_NOTES: Record<CiProvider, string> = {
  github: `Set the repository variable CAIRN_CACHE_URL, and a secret CAIRN_CACHE_TOKEN in two environments:
  ${WRITE_ENVIRONMENT}: the write token; deployment branches: your main branch only
  ${READ_ENVIRONMENT}: a read-only token`,
  gitlab: `Set CI/CD variables CAIRN_CACHE_URL, CAIRN_CACHE_READ_TOKEN (masked), CAIRN_CACHE_WRITE_TOKEN (masked + protected)
and CAIRN_GITLAB_TOKEN (api scope) for merge-request comments.`,
  jenkins: `Set the global env CAIRN_CACHE_URL and Secret-text credentials cairn-cache-read-token, and
cairn-cache-write-token only where main-branch builds run.`,
};

/**
 * Writes the CI workflow for `provider` from `templates/ci/<provider>`: full
 * history checkout, `npm ci`, `cairn pull`, Nx remote cache env (read-only
 * token on pull requests, write token on the main branch), `nx affected`,
 * `cairn push` of the trained artifacts (main branch, write token only),
 * the comparison report as a PR/MR comment and metrics as artifacts; with
 * `promote`, the registry promotion of models whose gate passed (every provider);
 * `reproduceSchedule`, a scheduled job that reproduces every model's recorded
 * training on the main branch (docs/testing.md#reproducibility).
 */
export async function ciGenerator(tree: Tree, options: CiGeneratorSchema): Promise<() => void> {
  if (!CI_PROVIDERS.includes(options.provider)) {
    throw new UsageError(
      'OPTION_INVALID',
      `--provider must be one of ${CI_PROVIDERS.join(', ')} (got "${String(options.provider)}")`,
      { data: { option: 'provider', value: options.provider } },
    );
  }
  const targets = (options.targets ?? ['validate', 'train', 'evaluate', 'compare']).map((target) =>
    check(/^[A-Za-z0-9:_-]+$/, target, 'targets'),
  );
  if (targets.length === 0)
    throw new UsageError('OPTION_INVALID', '--targets must name at least one target', {
      data: { option: 'targets', value: targets },
    });
  const remote =
    options.remote === undefined
      ? undefined
      : check(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, options.remote, 'remote');
  generateFiles(tree, templatesDir(options.provider), '.', {
    tmpl: '',
    mainBranch: check(/^[A-Za-z0-9._/-]+$/, options.mainBranch ?? 'main', 'mainBranch'),
    nodeVersion: check(/^[0-9][0-9.x]*$/, options.nodeVersion ?? '20', 'nodeVersion'),
    targets: targets.join(' '),
    remoteFlag: remote ? ` --remote ${remote}` : '',
    reproduceSchedule:
      options.reproduceSchedule === undefined
        ? ''
        : check(/^[0-9*/,-]+( [0-9*/,-]+){4}$/, options.reproduceSchedule, 'reproduceSchedule'),
    writeEnvironment: WRITE_ENVIRONMENT,
    readEnvironment: READ_ENVIRONMENT,
    promote: options.promote === true,
  });
  return () =>
    logger.info(
      `Wrote ${CI_FILES[options.provider]}.\n${SETUP_NOTES[options.provider]}\nSee docs/remote-cache.md.`,
    );
}

export default ciGenerator;
