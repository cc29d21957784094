import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { newExperimentId, recordExperiment, type ExperimentRecord } from '@cairn/experiments';
import { gitIn } from '../../../../tools/test-support/src/points-workspace';
import { runCli } from '../../test/run-cli';

let dir: string;
const ids: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-exp-'));
  gitIn(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'nx.json'), '{}');
  mkdirSync(join(dir, '.cairn'));
  writeFileSync(join(dir, '.cairn/config.json'), '{}');
  mkdirSync(join(dir, 'models/m'), { recursive: true });
  writeFileSync(
    join(dir, 'models/m/model.json'),
    JSON.stringify(
      { datasets: ['d'], label: 'y', task: 'binary', train: { command: 'true' }, params: { depth: 2 } },
      null,
      2,
    ),
  );
  for (const [index, depth] of [2, 4, 8].entries()) {
    const created = new Date(Date.UTC(2024, 0, 1 + index));
    const record: ExperimentRecord = {
      id: newExperimentId(created),
      project: 'm',
      kind: 'train',
      status: depth === 8 ? 'failed' : 'succeeded',
      created: created.toISOString(),
      durationMs: 1000,
      params: { depth, note: 'a,b' },
      metrics: depth === 8 ? {} : { accuracy: 0.8 + depth / 100 },
      data: { d: 'f'.repeat(64) },
      host: 'h',
      artifacts: [],
    };
    await recordExperiment(dir, record);
    ids.push(record.id);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cairn exp', () => {
  it('list --json has the documented fields; --where, --sort-by and --limit select', async () => {
    const all = await runCli(['exp', 'list', '--json'], { cwd: dir });
    expect(all.code).toBe(0);
    const records = JSON.parse(all.stdout) as ExperimentRecord[];
    expect(records.map((r) => r.id)).toEqual([...ids].reverse());
    for (const key of ['id', 'project', 'params', 'metrics', 'status', 'created', 'data']) {
      expect(records[0]).toHaveProperty(key);
    }
    const best = await runCli(
      [
        'exp',
        'list',
        '--where',
        'status = succeeded',
        '--sort-by',
        'accuracy:desc',
        '--limit',
        '1',
        '--json',
      ],
      { cwd: dir },
    );
    expect((JSON.parse(best.stdout) as ExperimentRecord[]).map((r) => r.params.depth)).toEqual([4]);
    const csv = await runCli(['exp', 'list', '--csv'], { cwd: dir });
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row['params.depth'])).toEqual(['8', '4', '2']);
    expect(rows[0]!['params.note']).toBe('a,b');
    expect((await runCli(['exp', 'list', '--md'], { cwd: dir })).stdout.split('\n')[1]).toMatch(/^\| --- \|/);
    expect((await runCli(['exp', 'list'], { cwd: dir })).stdout).toContain(ids[0]);
  });

  it('bad input exits 2 with a coded one-line error, no stack', async () => {
    for (const args of [
      ['exp', 'list', '--where', 'metrics.accuracy >'],
      ['exp', 'list', '--json', '--csv'],
      ['exp', 'list', '--limit', 'ten'],
      ['exp', 'show', 'nope!'],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await runCli(['exp', 'list', '--where', 'metrics.accuracy >'], { cwd: dir })).stderr).toContain(
      'EXP_WHERE_INVALID',
    );
  });

  it('show, diff --md and apply write the params into model.json as a reviewable change', async () => {
    const show = await runCli(['exp', 'show', ids[1]!], { cwd: dir });
    expect(show.stdout).toContain('depth = 4');
    const diff = await runCli(['exp', 'diff', ids[0]!, ids[1]!, '--md'], { cwd: dir });
    expect(diff.stdout).toContain('| params | depth | 2 | 4 | +2 |');
    expect(diff.stdout).not.toContain('| note |');
    const applied = await runCli(['exp', 'apply', ids[1]!, '--json'], { cwd: dir });
    expect(JSON.parse(applied.stdout)).toMatchObject({ changed: true, configFile: 'models/m/model.json' });
    const config = JSON.parse(readFileSync(join(dir, 'models/m/model.json'), 'utf8'));
    expect(config).toMatchObject({ params: { depth: 4, note: 'a,b' }, label: 'y', task: 'binary' });
    expect(JSON.parse((await runCli(['exp', 'apply', ids[1]!, '--json'], { cwd: dir })).stdout).changed).toBe(
      false,
    );
  });

  it('gc --failed and remove delete refs', async () => {
    const gc = await runCli(['exp', 'gc', '--failed', '--json'], { cwd: dir });
    expect(JSON.parse(gc.stdout)).toEqual({ removed: [`refs/cairn/exps/m/${ids[2]}`], kept: 2 });
    await runCli(['exp', 'remove', ids[0]!], { cwd: dir });
    expect(gitIn(dir, 'for-each-ref', '--format=%(refname)', 'refs/cairn/exps')).toBe(
      `refs/cairn/exps/m/${ids[1]}`,
    );
  });
});
