import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './workspace';

describe('bundled examples', () => {
  it('every example model still matches its template, passes its own tests, trains reproducibly and predicts through its artifact', () => {
    // examples/check-models.mjs trains each model twice on a seeded split, loads the artifact and checks its gate.
    const result = spawnSync(process.execPath, [join(repoRoot, 'examples', 'check-models.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    // Every model ran, the Python one too (a missing scikit-learn is a failure, not a skipped row).
    const models = readdirSync(join(repoRoot, 'examples', 'models'));
    for (const model of models) expect(result.stdout).toMatch(new RegExp(`^${model} .* ok`, 'm'));
    // Each model's own tests (and the features library's) ran on synthetic data from its dataset spec.
    expect(result.stdout).toContain(
      `model tests on synthetic data: ${models.length} model(s) and the features library passed`,
    );
  });
});
