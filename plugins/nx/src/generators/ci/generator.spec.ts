import { spawnSync } from 'node:child_process';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { schemaDiagnostics } from './workflow-schema.testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CI_FILES, ciGenerator } from './generator';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

async function generate(
  provider: 'github' | 'gitlab' | 'jenkins',
  extra: Record<string, unknown> = {},
): Promise<string> {
  const tree: Tree = createTreeWithEmptyWorkspace();
  await ciGenerator(tree, { provider, ...extra });
  const text = tree.read(CI_FILES[provider], 'utf8');
  expect(text, CI_FILES[provider]).toBeTruthy();
  expect(text).not.toMatch(/<%|%>/);
  return text!;
}

/** `bash -n`: the real shell's syntax check of a script taken from a CI file. */
function bashSyntaxError(script: string): string | undefined {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return result.status === 0 ? undefined : result.stderr;
}

describe('ci generator: GitHub Actions', () => {
  it('writes a workflow that matches the SchemaStore github-workflow schema types', async () => {
    const workflow = parse(await generate('github'));
    // Negative controls: the same check rejects a job without runs-on, and an unknown trigger.
    const noRunner = structuredClone(workflow);
    delete noRunner.jobs.ml['runs-on'];
    const badTrigger = { ...structuredClone(workflow), on: 'pull_requests' };
    const [valid, missing, unknown] = schemaDiagnostics(workflow, noRunner, badTrigger);
    expect(valid).toEqual([]);
    expect(missing!.join('\n')).toMatch(/runs-on/);
    expect(unknown!.length).toBeGreaterThan(0);
  }, 60_000);

  it('checks out full history, restores data, splits tokens by branch, runs affected, comments and uploads', async () => {
    const workflow = parse(await generate('github', { mainBranch: 'trunk', remote: 'ci' }));
    expect(Object.keys(workflow.on)).toEqual(['push', 'pull_request']);
    expect(workflow.on.push.branches).toEqual(['trunk']);
    const job = workflow.jobs.ml;
    expect(job.environment).toContain("github.ref == 'refs/heads/trunk' && 'cairn-main' || 'cairn-pr'");
    expect(job.env).toMatchObject({
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '${{ vars.CAIRN_CACHE_URL }}',
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: '${{ secrets.CAIRN_CACHE_TOKEN }}',
    });
    const steps = job.steps as Step[];
    const index = (predicate: (step: Step) => boolean) => steps.findIndex(predicate);
    const checkout = steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    const install = index((step) => step.run === 'npm ci');
    const pull = index((step) => step.run === 'npx cairn pull --remote ci');
    const affected = index(
      (step) => step.run?.startsWith('npx nx affected -t validate train evaluate compare') ?? false,
    );
    const push = index((step) => step.run === 'npx cairn push --remote ci');
    const comment = index((step) => step.run?.includes('gh pr comment') ?? false);
    const upload = index((step) => step.uses?.startsWith('actions/upload-artifact@') ?? false);
    expect([install, pull, affected, push, comment, upload].every((i) => i >= 0)).toBe(true);
    expect(install < pull && pull < affected && affected < push && push < comment && comment < upload).toBe(
      true,
    );
    // Artifacts reach the data remote after training, with the write token on the main branch only,
    // even when a gate failed (train's results are cached regardless).
    expect(steps[affected]!.id).toBe('affected');
    expect(steps[push]!.if).toContain("github.event_name == 'push' && github.ref == 'refs/heads/trunk'");
    expect(steps[push]!.if).toContain("steps.affected.outcome != 'skipped'");
    expect(steps[push]!.if).toContain('!cancelled()');
    expect(steps[push]!.if).not.toContain('pull_request');
    expect(steps[comment]!.if).toContain("github.event_name == 'pull_request'");
    expect(steps[comment]!.if).toContain('always()');
    expect(String(steps[upload]!.with?.path)).toContain('dist/cairn/**/metrics.json');
    for (const step of steps) if (step.run) expect(bashSyntaxError(step.run), step.run).toBeUndefined();
  });
});

describe('ci generator: registry promotion', () => {
  it('promotes on the main branch only, after the affected run, and pushes the registry with retries', async () => {
    const plain = parse(await generate('github'));
    expect(plain.permissions.contents).toBe('read');
    expect((plain.jobs.ml.steps as Step[]).some((step) => step.run?.includes('-t promote'))).toBe(false);
    const text = await generate('github', { promote: true, mainBranch: 'trunk' });
    const workflow = parse(text);
    expect(schemaDiagnostics(workflow)[0]).toEqual([]);
    expect(workflow.permissions.contents).toBe('write');
    const steps = workflow.jobs.ml.steps as Step[];
    const affected = steps.findIndex((step) => step.id === 'affected');
    const promote = steps.findIndex((step) => step.run?.includes('npx nx affected -t promote') ?? false);
    expect(promote).toBeGreaterThan(affected);
    const step = steps[promote]!;
    expect(step.if).toContain("success() && github.event_name == 'push' && github.ref == 'refs/heads/trunk'");
    expect(step.run).toContain("git push origin 'refs/cairn/*:refs/cairn/*'");
    expect(step.env?.CAIRN_ACTOR).toContain('github.actor');
    expect(bashSyntaxError(step.run!)).toBeUndefined();
  }, 60_000);
});

describe('ci generator: registry promotion on GitLab and Jenkins', () => {
  const balancedGroovy = (text: string) => {
    const code = text
      .replace(/\/\/.*$/gm, '')
      .replace(/'''[\s\S]*?'''/g, "''")
      .replace(/'[^'\n]*'/g, "''")
      .replace(/"[^"\n]*"/g, '""');
    return code.split('{').length === code.split('}').length;
  };

  it('GitLab: promotes after a passing affected run on main, with the registry token, pushing with retries', async () => {
    expect(JSON.stringify(parse(await generate('gitlab')))).not.toContain('-t promote');
    const job = parse(await generate('gitlab', { promote: true, mainBranch: 'trunk' })).cairn;
    const main = (job.script as string[]).join('\n');
    const promote = main.indexOf('npx nx affected -t promote');
    expect(promote).toBeGreaterThan(main.indexOf('npx nx affected -t validate'));
    expect(main).toContain(
      'if [ "$status" = 0 ] && [ "$CI_COMMIT_BRANCH" = "trunk" ] && [ -n "$CAIRN_REGISTRY_TOKEN" ]; then',
    );
    expect(main).toContain("git push origin 'refs/cairn/*:refs/cairn/*'");
    // The push credential goes to the push URL only; the job's status is kept and ends the script.
    expect(main).toContain('git remote set-url --push origin');
    expect(main.trimEnd().endsWith('exit "$status"')).toBe(true);
    for (const script of job.script as string[]) expect(bashSyntaxError(script), script).toBeUndefined();
  });

  it('Jenkins: a Promote stage on main only (not for pull requests or timer builds) with the push credential', async () => {
    expect(await generate('jenkins')).not.toContain("stage('Promote')");
    const text = await generate('jenkins', { promote: true, reproduceSchedule: '0 3 * * *' });
    expect(text).toMatch(
      /stage\('Promote'\) \{\n\s*when \{ allOf \{ branch 'main'; not \{ changeRequest\(\) \}; not \{ triggeredBy 'TimerTrigger' \} \} \}/,
    );
    expect(text.indexOf("stage('Promote')")).toBeGreaterThan(text.indexOf("stage('Affected')"));
    expect(text).toContain("gitUsernamePassword(credentialsId: 'cairn-git-push'");
    expect(text).toContain('npx nx affected -t promote --base="$NX_BASE" --head=HEAD');
    expect(balancedGroovy(text)).toBe(true);
    const shell = [...text.matchAll(/sh '''([\s\S]*?)'''/g)].map((match) => match[1]!);
    for (const script of shell) expect(bashSyntaxError(script), script).toBeUndefined();
  });
});

describe('ci generator: GitLab CI', () => {
  it('writes a pipeline with full history, protected write token, affected run, MR note and artifacts', async () => {
    const pipeline = parse(await generate('gitlab', { targets: ['train', 'evaluate'] }));
    expect(pipeline.variables).toMatchObject({
      GIT_DEPTH: '0',
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '$CAIRN_CACHE_URL',
    });
    const job = pipeline.cairn;
    expect(job.rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: '$CI_COMMIT_BRANCH == "main"' },
    ]);
    const scripts: string[] = [...job.before_script, ...job.script, ...job.after_script];
    expect(scripts.join('\n')).toContain(
      'export NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN="$CAIRN_CACHE_WRITE_TOKEN"',
    );
    const main = job.script.join('\n');
    expect(main).toContain(
      'npx nx affected -t train evaluate --base="$NX_BASE" --head="$NX_HEAD" || status=$?',
    );
    // The push follows training, on the protected main branch with the write token, and keeps the run's status.
    expect(main.indexOf('npx nx affected')).toBeLessThan(main.indexOf('npx cairn push'));
    expect(main).toContain(
      'if [ "$CI_COMMIT_BRANCH" = "main" ] && [ -n "$CAIRN_CACHE_WRITE_TOKEN" ]; then\n  npx cairn push\nfi',
    );
    expect(main).toContain('exit "$status"');
    expect(job.script.join('\n')).toContain('npx cairn pull');
    expect(job.after_script.join('\n')).toContain('/merge_requests/$CI_MERGE_REQUEST_IID/notes');
    expect(job.artifacts).toMatchObject({ when: 'always' });
    expect(job.artifacts.paths).toContain('dist/cairn/**/metrics.json');
    for (const script of scripts) expect(bashSyntaxError(script), script).toBeUndefined();
  });
});

describe('ci generator: Jenkins', () => {
  it('writes a declarative Jenkinsfile choosing the token by branch', async () => {
    const text = await generate('jenkins');
    expect(text).toMatch(/^pipeline \{/m);
    // Balanced braces outside strings/comments is a cheap structural check of the Groovy.
    const code = text
      .replace(/\/\/.*$/gm, '')
      .replace(/'''[\s\S]*?'''/g, "''")
      .replace(/'[^'\n]*'/g, "''")
      .replace(/"[^"\n]*"/g, '""');
    expect(code.split('{').length).toBe(code.split('}').length);
    expect(text).toContain("env.BRANCH_NAME == 'main' && !env.CHANGE_ID");
    expect(text).toContain("'cairn-cache-write-token' : 'cairn-cache-read-token'");
    expect(text).toContain('--unshallow');
    expect(text).toContain('npx nx affected -t validate train evaluate compare');
    expect(text).toContain('pullRequest.comment');
    expect(text).toContain("env.CAIRN_PUSH = onMain ? 'true' : 'false'");
    expect(text).toMatch(
      /npx nx affected[^\n]*\|\| status=\$\?\n[\s\S]*if \[ "\$CAIRN_PUSH" = true \]; then\n\s*npx cairn push\n/,
    );
    expect(text).toContain("archiveArtifacts artifacts: 'dist/cairn/**/metrics.json");
    const shell = [...text.matchAll(/sh '''([\s\S]*?)'''/g)].map((match) => match[1]!);
    expect(shell.length).toBeGreaterThan(1);
    for (const script of shell) expect(bashSyntaxError(script), script).toBeUndefined();
  });
});

describe('ci generator: scheduled reproduce job', () => {
  const reproduce = "npx nx run-many -t reproduce --projects='tag:cairn:model' --outputStyle=static";

  it('GitHub: a schedule trigger and a reproduce job on main; the affected job skips scheduled runs', async () => {
    const workflow = parse(await generate('github', { reproduceSchedule: '0 3 * * *', mainBranch: 'trunk' }));
    expect(workflow.on.schedule).toEqual([{ cron: '0 3 * * *' }]);
    expect(workflow.jobs.ml.if).toBe("github.event_name != 'schedule'");
    const job = workflow.jobs.reproduce;
    expect(job.if).toBe("github.event_name == 'schedule'");
    // It only reads the caches: the read-token environment.
    expect(job.environment).toBe('cairn-pr');
    const steps = job.steps as Step[];
    expect(steps[0]).toMatchObject({ uses: 'actions/checkout@v4', with: { ref: 'trunk', 'fetch-depth': 0 } });
    expect(steps.map((step) => step.run).filter(Boolean)).toEqual(['npm ci', 'npx cairn pull', reproduce]);
    expect(schemaDiagnostics(workflow)).toEqual([[]]);
    // Without the option nothing is scheduled.
    const plain = parse(await generate('github'));
    expect(plain.on.schedule).toBeUndefined();
    expect(plain.jobs.reproduce).toBeUndefined();
    expect(plain.jobs.ml.if).toBeUndefined();
  }, 60_000);

  it('GitLab: a job for scheduled pipelines on main, which the affected job leaves alone', async () => {
    const pipeline = parse(await generate('gitlab', { reproduceSchedule: '30 2 * * 1-5' }));
    expect(pipeline.cairn.rules[0]).toEqual({ if: '$CI_PIPELINE_SOURCE == "schedule"', when: 'never' });
    const job = pipeline['cairn-reproduce'];
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule" && $CI_COMMIT_BRANCH == "main"' }]);
    expect(job.script.at(-1)).toBe(reproduce);
    for (const script of job.script as string[]) expect(bashSyntaxError(script), script).toBeUndefined();
    expect(parse(await generate('gitlab'))['cairn-reproduce']).toBeUndefined();
  });

  it('Jenkins: a cron trigger on main and a Reproduce stage for timer builds only', async () => {
    const text = await generate('jenkins', { reproduceSchedule: '0 * * * *' });
    expect(text).toContain("cron(env.BRANCH_NAME == 'main' ? '0 * * * *' : '')");
    expect(text).toContain("when { not { triggeredBy 'TimerTrigger' } }");
    expect(text).toMatch(/stage\('Reproduce'\) \{\n\s*when \{ triggeredBy 'TimerTrigger' \}/);
    expect(text).toContain(reproduce);
    const code = text
      .replace(/\/\/.*$/gm, '')
      .replace(/'''[\s\S]*?'''/g, "''")
      .replace(/'[^'\n]*'/g, "''")
      .replace(/"[^"\n]*"/g, '""');
    expect(code.split('{').length).toBe(code.split('}').length);
  });

  it('refuses a schedule that is not five cron fields', async () => {
    const tree = createTreeWithEmptyWorkspace();
    for (const bad of ['nightly', "0 3 * * *' && rm", '0 3 * *'])
      await expect(ciGenerator(tree, { provider: 'github', reproduceSchedule: bad })).rejects.toThrow(
        /reproduceSchedule/,
      );
  });
});

describe('ci generator: options', () => {
  it('rejects unknown providers and values that could inject into the CI file', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await expect(ciGenerator(tree, { provider: 'circle' as 'github' })).rejects.toThrow(/provider/);
    await expect(ciGenerator(tree, { provider: 'github', mainBranch: "main' || true" })).rejects.toThrow(
      /mainBranch/,
    );
    await expect(ciGenerator(tree, { provider: 'github', targets: ['train; rm -rf /'] })).rejects.toThrow(
      /targets/,
    );
  });
});
