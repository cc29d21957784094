import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/errors';
import {
  gitIn as git,
  pointsCsv,
  writePointsWorkspace,
  writeWorkspaceFile as write,
} from '../../../tools/test-support/src/points-workspace';
import { add, initWorkspace } from '@cairn/store';
import { assertReproduced, findRun, listRuns, reproduce, testProject, train } from './index';

/** Trains like model m, then adds a metric that changes on every run and reports its environment. */
const NOISY_TRAINER = `
const { readFileSync, writeFileSync } = require('node:fs');
require('../m/train.cjs');
const metrics = JSON.parse(readFileSync(process.env.CAIRN_METRICS_FILE, 'utf8'));
writeFileSync(process.env.CAIRN_METRICS_FILE, JSON.stringify({ ...metrics, noise: Math.random() }));
writeFileSync(process.env.CAIRN_ENVIRONMENT_FILE, JSON.stringify({ runtime: 'node', version: process.versions.node, packages: { 'left-pad': '1.3.0' } }));
`;

/** A test command checking what the `test` target promises: synthetic files that follow the spec. */
const SYNTH_CHECK = `
const { readFileSync } = require('node:fs');
const [header, ...rows] = readFileSync(process.env.CAIRN_SYNTH_FILE, 'utf8').trim().split('\\n');
const edge = readFileSync(process.env.CAIRN_SYNTH_EDGE_FILE, 'utf8');
if (header !== 'x,y,label' || rows.length !== 40) process.exit(3);
if (process.env.CAIRN_SYNTH_POINTS !== process.env.CAIRN_SYNTH_FILE) process.exit(4);
if (!edge.split('\\n').some((line) => line.startsWith('0,'))) process.exit(5); // x's declared min
if (rows.some((row) => !/^[0-9.]+,[0-9.]+,(a|b)$/.test(row))) process.exit(6);
`;

const root = mkdtempSync(join(tmpdir(), 'cairn-reproduce-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  writePointsWorkspace(root);
  write(
    root,
    'data/points/dataset.json',
    JSON.stringify({
      data: 'points.csv',
      label: 'label',
      validation: {
        columns: {
          x: { type: 'number', min: 0, max: 20, nullable: false },
          y: { type: 'number', min: 0, max: 10, nullable: false },
          label: { categories: ['a', 'b'], nullable: false },
        },
      },
    }),
  );
  const m = JSON.parse(readFileSync(join(root, 'models/m/model.json'), 'utf8')) as Record<string, unknown>;
  write(root, 'models/m/model.json', JSON.stringify({ ...m, test: { command: 'node check.cjs', rows: 40 } }));
  write(root, 'models/m/check.cjs', SYNTH_CHECK);
  write(root, 'models/noisy/model.json', JSON.stringify({ ...m, train: { command: 'node train.cjs' } }));
  write(root, 'models/noisy/train.cjs', NOISY_TRAINER);
  write(root, 'package-lock.json', '{"lockfileVersion": 3}\n');
  await initWorkspace(root);
  await add(root, ['data/points/points.csv']);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
});

const quiet = { log: () => undefined, output: () => undefined };

describe('environment capture', () => {
  it('records node, cairn, the lockfile hash (b3sum as oracle) and what the trainer reports', async () => {
    const plain = await train({ workspaceRoot: root, project: 'm', ...quiet });
    let b3sum: string;
    try {
      b3sum = execFileSync('b3sum', ['--no-names', join(root, 'package-lock.json')], {
        encoding: 'utf8',
      }).trim();
    } catch (error) {
      throw new Error(`b3sum oracle missing (${(error as Error).message}): apt-get install -y b3sum`);
    }
    expect(plain.environment).toEqual({
      node: process.version,
      cairn: plain.toolkitVersion,
      platform: `${process.platform}-${process.arch}`,
      lockfiles: { 'package-lock.json': b3sum },
    });
    const noisy = await train({ workspaceRoot: root, project: 'noisy', ...quiet });
    expect(noisy.environment?.trainer).toEqual({
      runtime: 'node',
      version: process.versions.node,
      packages: { 'left-pad': '1.3.0' },
    });
  });
});

describe('reproduce', () => {
  it("re-runs a project's latest run from its commit and the store, even with the working tree changed", async () => {
    const before = await findRun(root, 'm');
    // Neither today's code nor today's bytes may leak into the re-run.
    write(root, 'models/m/train.cjs', 'process.exit(9);\n');
    write(root, 'data/points/points.csv', 'x,y,label\n1,1,b\n');
    try {
      const report = await reproduce({ workspaceRoot: root, target: 'm', ...quiet });
      expect(report).toMatchObject({
        run: before.id,
        project: 'm',
        status: 'reproduced',
        differences: [],
        environment: [],
        artifact: { recorded: before.record.artifact.hash, reproduced: before.record.artifact.hash },
      });
      expect(() => assertReproduced(report)).not.toThrow();
    } finally {
      git(root, 'checkout', '--', 'models/m/train.cjs');
      write(root, 'data/points/points.csv', pointsCsv());
    }
  });

  it('re-runs on the data the run recorded when its pointer was never committed', async () => {
    write(root, 'data/points/points.csv', pointsCsv(1));
    await add(root, ['data/points/points.csv']);
    try {
      const record = await train({ workspaceRoot: root, project: 'm', ...quiet });
      const report = await reproduce({ workspaceRoot: root, target: 'm', ...quiet });
      expect(report.status).toBe('reproduced');
      expect(report.artifact.reproduced).toBe(record.artifact.hash);
      expect(report.notes.join('\n')).toContain(
        `the recorded data (${record.inputs.points!.hash.slice(0, 12)}) was used`,
      );
    } finally {
      write(root, 'data/points/points.csv', pointsCsv());
      await add(root, ['data/points/points.csv']);
      await train({ workspaceRoot: root, project: 'm', ...quiet });
    }
  });

  it('lists each metric that differs with its recorded and reproduced value, and exits 1', async () => {
    const run = await findRun(root, 'noisy');
    // A prefix of the run id names the run as well as the project does.
    const report = await reproduce({ workspaceRoot: root, target: run.id.slice(0, 6), ...quiet });
    expect(report.status).toBe('differs');
    expect(report.differences).toEqual([
      { metric: 'noise', recorded: run.record.metrics.noise, reproduced: expect.any(Number) },
    ]);
    expect(report.differences[0]!.reproduced).not.toBe(run.record.metrics.noise);
    let caught: unknown;
    try {
      assertReproduced(report);
    } catch (error) {
      caught = error;
    }
    expect(isCairnError(caught, 'REPRODUCE_DIFFERS')).toBe(true);
    expect((caught as { exitCode: number }).exitCode).toBe(1);
  });

  it('says it could not run (exit 3) for an unknown run and a record without a commit', async () => {
    await expect(reproduce({ workspaceRoot: root, target: 'nope', ...quiet })).rejects.toMatchObject({
      code: 'RUN_RECORD_NOT_FOUND',
      exitCode: 3,
    });
    const { record } = await findRun(root, 'm');
    const ofM = async () => (await listRuns(root)).filter((run) => run.record.project === 'm').length;
    const before = await ofM();
    const { git: _commit, ...uncommitted } = record;
    appendFileSync(
      join(root, '.cairn/runs/m.jsonl'),
      `${JSON.stringify({ ...uncommitted, startedAt: '2999-01-01T00:00:00.000Z' })}\nnot json\n`,
    );
    // The torn line is passed over; the record without a commit is the latest run of m.
    expect(await ofM()).toBe(before + 1);
    await expect(reproduce({ workspaceRoot: root, target: 'm', ...quiet })).rejects.toMatchObject({
      code: 'REPRODUCE_FAILED',
      exitCode: 3,
    });
  });
});

describe('the test target', () => {
  it("runs the model's test command on synthetic data made from the dataset spec", async () => {
    await expect(testProject({ workspaceRoot: root, project: 'm', ...quiet })).resolves.toBeUndefined();
  });

  it('fails with MODEL_TESTS_FAILED when the tests fail, and names a model without tests', async () => {
    write(root, 'models/m/check.cjs', 'process.exit(1);\n');
    try {
      await expect(testProject({ workspaceRoot: root, project: 'm', ...quiet })).rejects.toMatchObject({
        code: 'MODEL_TESTS_FAILED',
        data: { exitCode: 1 },
      });
    } finally {
      write(root, 'models/m/check.cjs', SYNTH_CHECK);
    }
    await expect(testProject({ workspaceRoot: root, project: 'noisy', ...quiet })).rejects.toMatchObject({
      code: 'MODEL_TESTS_NOT_DECLARED',
    });
  });
});
