import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  newExperimentId,
  recordExperiment,
  removeExperiments,
  type ExperimentRecord,
} from '@cairn/experiments';
import { compareAndSwapRef, openRepository, writeRecordCommit } from '@cairn/git';
import { registerVersion } from '@cairn/registry';
import { add, listObjectIds } from '@cairn/store';
import { versionOf } from '../test/registry-fixtures';
import { collectGarbage } from './gc';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A git workspace with three "models" stored, whose pointers are then deleted: only records name them. */
async function workspace(): Promise<{ root: string; models: string[] }> {
  const root = mkdtempSync(join(tmpdir(), 'cairn-pipeline-gc-'));
  dirs.push(root);
  execFileSync('git', ['init', '-q', '-b', 'main', root]);
  const models: string[] = [];
  for (const name of ['registered', 'recorded', 'forgotten']) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'model.bin'), `weights of ${name}`);
    writeFileSync(join(root, name, 'cairn-model.json'), JSON.stringify({ name }));
    const [pointer] = await add(root, [name]);
    models.push(pointer!.hash);
    unlinkSync(join(root, `${name}.cairn`));
  }
  return { root, models };
}

function experiment(artifacts: string[]): ExperimentRecord {
  const created = new Date();
  return {
    id: newExperimentId(created),
    project: 'iris',
    kind: 'train',
    status: 'succeeded',
    created: created.toISOString(),
    durationMs: 1,
    params: {},
    metrics: { accuracy: 0.9 },
    data: {},
    host: 'h',
    artifacts,
  };
}

/** The store's objects that belong to a folder hash: its manifest and its files' ids are all kept with it. */
const count = async (root: string) => (await listObjectIds(join(root, '.cairn', 'cache'))).length;

describe('collectGarbage', () => {
  it('keeps the artifacts of registered versions and experiment records, frees them once no record names them', async () => {
    const { root, models } = await workspace();
    const [registered, recorded, forgotten] = models as [string, string, string];
    await registerVersion(root, 'iris', versionOf({ hash: registered, size: 40 }), { actor: 'ana' });
    const [ref] = [await recordExperiment(root, experiment([recorded]))];

    const first = await collectGarbage(root);
    // Only the forgotten model goes: its manifest and its two files.
    expect(first.removed.map((object) => object.id)).toContain(forgotten);
    expect(first.removed).toHaveLength(3);
    const ids = await listObjectIds(join(root, '.cairn', 'cache'));
    expect(ids).toEqual(expect.arrayContaining([registered, recorded]));
    expect(await count(root)).toBe(6);

    // Removing the record (as `cairn exp rm` does) frees its model on the next gc; the registered one stays.
    await removeExperiments(root, [ref!.slice(ref!.lastIndexOf('/') + 1)]);
    const second = await collectGarbage(root, { dryRun: true });
    expect(second.removed.map((object) => object.id)).toContain(recorded);
    expect(second.removed).toHaveLength(3);
    expect(second.removed.map((object) => object.id)).not.toContain(registered);
  });

  it('keeps what an invalid record still lists, and stops before deleting anything when a record cannot be read', async () => {
    const { root, models } = await workspace();
    const repository = openRepository(root);
    const write = async (name: string, body: string) => {
      const oid = writeRecordCommit(repository, 'cairn experiment', body, new Date());
      expect(await compareAndSwapRef(repository, `refs/cairn/exps/iris/${name}`, oid, undefined)).toBe(true);
    };
    // Fails validation (no status, no metrics) but lists its artifact.
    await write(
      'aaaa0000000000000000',
      JSON.stringify({ id: 'aaaa0000000000000000', artifacts: [models[0]] }),
    );
    const kept = await collectGarbage(root, { dryRun: true });
    expect(kept.removed.map((object) => object.id)).not.toContain(models[0]);
    expect(kept.removed.map((object) => object.id)).toEqual(expect.arrayContaining([models[1], models[2]]));

    await write('bbbb0000000000000000', '{ "artifacts": [ torn');
    const before = await count(root);
    await expect(collectGarbage(root)).rejects.toMatchObject({
      code: 'EXP_RECORD_UNREADABLE',
      data: { record: 'refs/cairn/exps/iris/bbbb0000000000000000', field: '/artifacts' },
    });
    expect(await count(root)).toBe(before);
  });

  it('works in a workspace outside git, where no record can exist', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cairn-pipeline-gc-'));
    dirs.push(root);
    writeFileSync(join(root, 'x.txt'), 'x');
    await add(root, ['x.txt']);
    unlinkSync(join(root, 'x.txt.cairn'));
    expect((await collectGarbage(root)).removed).toHaveLength(1);
  });
});
