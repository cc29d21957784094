import { spawnSync } from 'node:child_process';
import { gitError } from './errors';
import { openRepository } from './repository';

/**
 * Pushes or fetches every ref under `namespace` (e.g. `refs/cairn/exps`) to or
 * from a git remote. isomorphic-git speaks only smart HTTP, while teams'
 * remotes are as often SSH or a path, so this one verb runs the git program
 * the user already authenticates with; the refspec is fixed here, never taken
 * from input.
 */
export function syncRefs(
  dir: string,
  direction: 'push' | 'fetch',
  remote: string,
  namespace: string,
): { output: string } {
  const repository = openRepository(dir, 'experiments are shared through a git remote');
  if (!/^refs\/[a-z0-9/]+$/.test(namespace) || remote.startsWith('-') || remote === '') {
    throw gitError('GIT_RECORD_INVALID', `cannot ${direction} ${namespace} with remote "${remote}"`, {
      remote,
      namespace,
    });
  }
  // '+' on fetch: records are immutable and removal is a local decision, so the remote's set wins for names it has.
  const refspec = direction === 'push' ? `${namespace}/*:${namespace}/*` : `+${namespace}/*:${namespace}/*`;
  const result = spawnSync('git', [direction, '--quiet', remote, refspec], {
    cwd: repository.dir,
    encoding: 'utf8',
  });
  if (result.error) {
    throw gitError(
      'GIT_PROGRAM_MISSING',
      `git ${direction}: ${result.error.message}`,
      { program: 'git' },
      'install git (apt-get install git)',
    );
  }
  if (result.status !== 0) {
    throw gitError(
      'GIT_REMOTE_FAILED',
      `git ${direction} ${remote} ${refspec} failed: ${result.stderr.trim()}`,
      { remote, refspec, status: result.status },
      'check the remote name or URL and your access to it',
    );
  }
  return { output: `${result.stdout}${result.stderr}`.trim() };
}
