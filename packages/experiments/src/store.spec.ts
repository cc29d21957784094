import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../../../tools/test-support/src/points-workspace';
import { spawnTsChild } from '../../../tools/test-support/src/ts-child';
import {
  gcExperiments,
  listExperiments,
  newExperimentId,
  pullExperiments,
  pushExperiments,
  readExperiment,
  recordExperiment,
  removeExperiments,
  type ExperimentRecord,
} from './index';

let base: string;
let root: string;
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-exps-'));
  root = path.join(base, 'ws');
  fs.mkdirSync(root);
  gitIn(root, 'init', '-q', '-b', 'main');
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

function record(overrides: Partial<ExperimentRecord> = {}): ExperimentRecord {
  const created = new Date(overrides.created ?? Date.now());
  return {
    id: newExperimentId(created),
    project: 'iris',
    kind: 'train',
    status: 'succeeded',
    created: created.toISOString(),
    durationMs: 12,
    params: { depth: 3 },
    metrics: { accuracy: 0.9 },
    steps: {
      loss: [
        { step: 1, value: 0.5 },
        { step: 2, value: 0.25 },
      ],
    },
    data: { iris: 'ab'.repeat(32) },
    commit: 'c'.repeat(40),
    host: 'h',
    artifacts: ['d'.repeat(64)],
    ...overrides,
  };
}

describe('experiment records in git refs', () => {
  it('8 processes recording at once lose no record, and git sees every one', async () => {
    const goFile = path.join(base, 'go');
    const children = Array.from({ length: 8 }, (_, index) =>
      spawnTsChild(path.join(__dirname, '..', 'test', 'record-child.ts'), [
        root,
        `race${index % 2}`,
        '4',
        goFile,
      ]),
    );
    await Promise.all(children.map((child) => child.ready));
    fs.writeFileSync(goFile, '');
    for (const exit of await Promise.all(children.map((child) => child.exited))) {
      expect(exit, exit.stderr).toMatchObject({ code: 0 });
    }
    const { records, invalid } = await listExperiments(root);
    expect(invalid).toEqual([]);
    expect(records).toHaveLength(32);
    const refs = gitIn(root, 'for-each-ref', '--format=%(refname)', 'refs/cairn/exps').split('\n');
    expect(refs).toHaveLength(32);
    expect(new Set(records.map((r) => `refs/cairn/exps/${r.project}/${r.id}`))).toEqual(new Set(refs));
    // the index the racing children left agrees with the refs after one more sync
    const bodies = gitIn(root, 'log', '--no-walk', '--format=%b', '--glob=refs/cairn/exps')
      .trim()
      .split(/\n+/);
    expect(bodies.map((body) => (JSON.parse(body) as ExperimentRecord).id).sort()).toEqual(
      records.map((r) => r.id).sort(),
    );
    gitIn(root, 'fsck', '--strict');
  }, 60_000);

  it('reads a record back with its steps; the index keeps step counts, and a lost index is rebuilt', async () => {
    const written = record();
    await recordExperiment(root, written);
    expect(await readExperiment(root, written.id)).toEqual(written);
    expect(await readExperiment(root, written.id.slice(0, 16))).toEqual(written);
    const listed = (await listExperiments(root)).records.find((r) => r.id === written.id)!;
    expect(listed).not.toHaveProperty('steps');
    expect(listed.stepCounts).toEqual({ loss: 2 });
    const before = (await listExperiments(root)).records;
    fs.rmSync(path.join(root, '.cairn/exps/index.json'));
    expect((await listExperiments(root)).records).toEqual(before);
    fs.writeFileSync(path.join(root, '.cairn/exps/index.json'), '{"version": 1, "entries": 7');
    expect((await listExperiments(root)).records).toEqual(before);
  });

  it('refuses malformed records on write, and lists malformed ones from a remote as invalid, not fatal', async () => {
    await expect(recordExperiment(root, record({ metrics: { accuracy: Number.NaN } }))).rejects.toMatchObject(
      {
        code: 'EXP_RECORD_INVALID',
        data: { field: '/metrics/accuracy' },
      },
    );
    await expect(recordExperiment(root, record({ project: '../escape' }))).rejects.toMatchObject({
      code: 'EXP_RECORD_INVALID',
      data: { field: '/project' },
    });
    // what a hostile or broken remote could push: a commit whose body is not a record, one whose id lies
    const empty = gitIn(root, 'hash-object', '-t', 'tree', '-w', '/dev/null');
    const bad = gitIn(root, 'commit-tree', empty, '-m', 'x', '-m', '{"id": "nope"}');
    gitIn(root, 'update-ref', 'refs/cairn/exps/iris/0000000000000000000', bad);
    const other = record();
    const liar = gitIn(root, 'commit-tree', empty, '-m', 'x', '-m', JSON.stringify(other));
    gitIn(root, 'update-ref', 'refs/cairn/exps/wine/0000000000000000001', liar);
    const { invalid, records } = await listExperiments(root);
    expect(invalid.map((entry) => entry.ref).sort()).toEqual([
      'refs/cairn/exps/iris/0000000000000000000',
      'refs/cairn/exps/wine/0000000000000000001',
    ]);
    expect(records.some((r) => r.id === other.id)).toBe(false);
    const { removed } = await gcExperiments(root, {});
    expect(removed.sort()).toEqual(invalid.map((entry) => entry.ref).sort());
    expect((await listExperiments(root)).invalid).toEqual([]);
  });

  it('removes by id, refuses unknown and ambiguous ids with codes, and gc keeps the newest per project', async () => {
    const a = record({ project: 'gc', created: '2020-01-01T00:00:00.000Z' });
    const b = record({ project: 'gc', created: '2021-01-01T00:00:00.000Z', status: 'failed' });
    const c = record({ project: 'gc', created: '2022-01-01T00:00:00.000Z' });
    for (const r of [a, b, c]) await recordExperiment(root, r);
    await expect(readExperiment(root, 'zzzzzzzz')).rejects.toMatchObject({ code: 'EXP_NOT_FOUND' });
    await expect(readExperiment(root, '../x')).rejects.toMatchObject({ code: 'EXP_NOT_FOUND' });
    const recent = (await listExperiments(root)).records[0]!.id.slice(0, 4);
    await expect(readExperiment(root, recent)).rejects.toMatchObject({ code: 'EXP_AMBIGUOUS_ID' });
    const dry = await gcExperiments(root, { failed: true, dryRun: true });
    expect(dry.removed.filter((ref) => ref.includes('/gc/'))).toEqual([`refs/cairn/exps/gc/${b.id}`]);
    expect((await listExperiments(root)).records.some((r) => r.id === b.id)).toBe(true);
    await gcExperiments(root, { before: new Date('2020-06-01T00:00:00Z') });
    expect((await listExperiments(root)).records.filter((r) => r.project === 'gc').map((r) => r.id)).toEqual([
      c.id,
      b.id,
    ]);
    expect(await removeExperiments(root, [c.id])).toEqual([`refs/cairn/exps/gc/${c.id}`]);
    expect(gitIn(root, 'for-each-ref', '--format=%(refname)', 'refs/cairn/exps/gc')).toBe(
      `refs/cairn/exps/gc/${b.id}`,
    );
  });

  it('push and pull carry records through a bare git remote into a fresh clone', async () => {
    const remote = path.join(base, 'remote.git');
    gitIn(base, 'init', '-q', '--bare', remote);
    gitIn(root, 'remote', 'add', 'origin', remote);
    await pushExperiments(root, 'origin');
    const clone = path.join(base, 'clone');
    fs.mkdirSync(clone);
    gitIn(clone, 'init', '-q', '-b', 'main');
    gitIn(clone, 'remote', 'add', 'origin', remote);
    expect((await listExperiments(clone)).records).toEqual([]);
    await pullExperiments(clone, 'origin');
    expect((await listExperiments(clone)).records).toEqual((await listExperiments(root)).records);
    await expect(pullExperiments(clone, '--upload-pack=evil')).rejects.toMatchObject({
      code: 'GIT_RECORD_INVALID',
    });
    await expect(pullExperiments(clone, 'nowhere')).rejects.toMatchObject({ code: 'GIT_REMOTE_FAILED' });
  });
});
