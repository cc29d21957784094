import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRepo } from '../test/helpers';
import { parseGtoTag, readGtoTags } from './index';

let repo: { dir: string; cleanup: () => void };
beforeEach(() => {
  repo = makeRepo('cairn-gto-');
});
afterEach(() => repo.cleanup());

/** An annotated tag made by the git CLI as GTO makes them, at a fixed tagger time. */
function tag(name: string, seconds: number): void {
  execFileSync('git', ['tag', '-a', name, '-m', `gto: ${name}`], {
    cwd: repo.dir,
    env: {
      ...process.env,
      GIT_COMMITTER_NAME: 'Gto User',
      GIT_COMMITTER_EMAIL: 'gto@example.org',
      GIT_COMMITTER_DATE: `@${seconds} +0000`,
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  });
}

describe('reading GTO tags', () => {
  it('parses every GTO tag form and leaves other tags alone', () => {
    expect(parseGtoTag('churn@v1.0.0')).toEqual({ action: 'register', model: 'churn', version: 'v1.0.0' });
    expect(parseGtoTag('models/churn@v1.2.3-rc.1!')).toEqual({
      action: 'deregister',
      model: 'models/churn',
      version: 'v1.2.3-rc.1',
    });
    expect(parseGtoTag('churn@deprecated')).toEqual({ action: 'deprecate', model: 'churn' });
    expect(parseGtoTag('churn#prod#3')).toEqual({
      action: 'assign',
      model: 'churn',
      stage: 'prod',
      number: 3,
    });
    expect(parseGtoTag('churn#prod!#4')).toEqual({
      action: 'unassign',
      model: 'churn',
      stage: 'prod',
      number: 4,
    });
    expect(parseGtoTag('churn#staging')).toEqual({ action: 'assign', model: 'churn', stage: 'staging' });
    for (const other of ['v1.0.0', 'release-2', 'churn@1.0', 'Churn@v1.0.0', 'churn#prod#x', 'a#b#1#2']) {
      expect(parseGtoTag(other), other).toBeUndefined();
    }
  });

  it('reads GTO history from real annotated tags in tagger order', async () => {
    tag('churn#prod#2', 1_700_000_200);
    tag('churn@v1.0.0', 1_700_000_000);
    tag('churn#prod#1', 1_700_000_100);
    tag('unrelated', 1_700_000_050);
    const events = await readGtoTags(repo.dir);
    expect(events.map((e) => e.tag)).toEqual(['churn@v1.0.0', 'churn#prod#1', 'churn#prod#2']);
    expect(events[0]).toMatchObject({ at: '2023-11-14T22:13:20.000Z', by: 'Gto User <gto@example.org>' });
  });
});
