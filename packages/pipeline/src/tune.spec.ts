import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, initWorkspace } from '@cairn/store';
import { listExperiments } from '@cairn/experiments';
import {
  gitIn as git,
  writePointsWorkspace,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
import { tune } from './index';

// A trainer whose reported score peaks at depth 3 and lr 0.1, logging it per step; with depth 9 it
// stalls after its first step (a pruner must stop it, or the test times out).
const TRAINER = `
const fs = require('node:fs');
const { join } = require('node:path');
const params = JSON.parse(fs.readFileSync(process.env.CAIRN_PARAMS_FILE, 'utf8'));
const score = -((params.depth - 3) ** 2) - Math.abs(Math.log10(params.lr) + 1);
for (let step = 1; step <= 3; step++) {
  fs.appendFileSync(process.env.CAIRN_STEPS_FILE, JSON.stringify({ step, score: score - (3 - step) }) + '\\n');
  if (params.depth === 9) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
}
const out = process.env.CAIRN_OUTPUT_DIR;
fs.writeFileSync(join(out, 'cairn-model.json'), JSON.stringify({ runtime: 'node', entry: 'x.cjs', task: 'binary', label: 'label', labels: ['a', 'b'], features: [] }));
fs.writeFileSync(process.env.CAIRN_METRICS_FILE, JSON.stringify({ score }));
`;

let root: string;
const config = (tuneBlock: object) => JSON.stringify({ model: 'm', tune: tuneBlock });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-tune-'));
  writePointsWorkspace(root);
  write(root, 'models/m/train.cjs', TRAINER);
  await initWorkspace(root);
  await add(root, ['data/points/points.csv']);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const space = {
  depth: { type: 'int', low: 1, high: 5 },
  lr: { type: 'float', low: 0.001, high: 1, log: true },
};

describe('tune', () => {
  it('runs a study in parallel, records every trial, and a rerun reuses them all', async () => {
    write(
      root,
      'experiments/search/experiment.json',
      config({
        space,
        method: 'random',
        objective: { metric: 'score', direction: 'maximize', source: 'train' },
        budget: { trials: 6 },
        parallelism: 3,
        seed: 5,
      }),
    );
    const first = await tune({ workspaceRoot: root, project: 'search', log: () => undefined });
    expect(first.trials).toHaveLength(6);
    expect(first.trials.every((trial) => trial.source === 'ran' && trial.state === 'complete')).toBe(true);
    const values = first.trials.map((trial) => trial.value!);
    expect(first.best!.value).toBe(Math.max(...values));
    const records = (await listExperiments(root)).records.filter((r) => r.kind === 'trial');
    expect(records).toHaveLength(6);
    expect(new Set(records.map((r) => r.study!.trial))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(records.every((r) => !('steps' in r) && r.stepCounts?.score === 3)).toBe(true);
    const study = JSON.parse(
      readFileSync(join(root, 'dist/cairn/experiments/search/tune/study.json'), 'utf8'),
    );
    expect(study.best.params).toEqual(first.best!.params);

    const again = await tune({ workspaceRoot: root, project: 'search', log: () => undefined });
    expect(again.study).toBe(first.study);
    expect(again.trials.map((t) => t.source)).toEqual(Array(6).fill('reused'));
    expect((await listExperiments(root)).records.filter((r) => r.kind === 'trial')).toHaveLength(6);
  }, 60_000);

  it('TPE warm-starts from earlier studies; a pruner stops a stalled trial against earlier curves', async () => {
    write(
      root,
      'experiments/search/experiment.json',
      config({
        space,
        method: 'tpe',
        tpe: { startupTrials: 2 },
        objective: { metric: 'score', direction: 'maximize', source: 'train' },
        budget: { trials: 3 },
        seed: 1,
      }),
    );
    const warm = await tune({ workspaceRoot: root, project: 'search', log: () => undefined });
    expect(warm.warmStartTrials).toBe(6);
    expect(warm.trials.filter((t) => t.source === 'ran')).toHaveLength(3);

    write(
      root,
      'experiments/search/experiment.json',
      config({
        space: { depth: { type: 'categorical', choices: [9] }, lr: { type: 'categorical', choices: [0.1] } },
        method: 'grid',
        objective: { metric: 'score', direction: 'maximize', source: 'train' },
        pruner: { type: 'median', startupTrials: 1 },
      }),
    );
    const pruned = await tune({ workspaceRoot: root, project: 'search', log: () => undefined });
    expect(pruned.trials).toMatchObject([{ state: 'pruned', params: { depth: 9 }, value: -38 }]);
    const [record] = (await listExperiments(root)).records;
    expect(record).toMatchObject({ status: 'pruned', kind: 'trial', metrics: { score: -38 } });
    const bad = config({
      space: { lr: { type: 'float', low: 0, high: 1, log: true } },
      objective: { metric: 'score', direction: 'maximize' },
    });
    write(root, 'experiments/search/experiment.json', bad);
    await expect(
      tune({ workspaceRoot: root, project: 'search', log: () => undefined }),
    ).rejects.toMatchObject({
      code: 'TUNE_SPACE_INVALID',
      data: { file: 'experiments/search/experiment.json', field: '/tune/space/lr' },
    });
    await expect(tune({ workspaceRoot: root, project: 'm', log: () => undefined })).rejects.toMatchObject({
      code: 'TUNE_NOT_CONFIGURED',
    });
  }, 120_000);
});
