import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitCli, makeRepo, runChild, steppingClock, versionInput } from '../test/helpers';
import {
  aliasesAt,
  aliasHistory,
  listModels,
  listVersions,
  readAudit,
  registerVersion,
  resolveModel,
  rollbackAlias,
  setAlias,
  verifyAudit,
} from './index';

let repo: { dir: string; cleanup: () => void };
beforeEach(() => {
  repo = makeRepo();
});
afterEach(() => repo.cleanup());

describe('versions', () => {
  it('numbers versions per model from 1, resolves every reference form and stores plain git objects', async () => {
    const now = steppingClock('2026-03-01T10:00:00Z');
    for (const n of [1, 2, 3])
      await registerVersion(repo.dir, 'iris', versionInput(n), { actor: 'ana', now });
    await registerVersion(repo.dir, 'wine', versionInput(9), { actor: 'bo', now });

    expect((await listVersions(repo.dir, 'iris')).map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await resolveModel(repo.dir, 'iris')).version).toBe(3);
    expect((await resolveModel(repo.dir, 'iris@2')).params).toEqual({ n_estimators: 12 });
    expect((await resolveModel(repo.dir, 'iris@v1')).registeredAt).toBe('2026-03-01T10:00:00.000Z');
    expect((await resolveModel(repo.dir, 'wine')).version).toBe(1);
    // The record is an ordinary blob the git CLI reads back byte for byte.
    const stored = JSON.parse(gitCli(repo.dir, 'show', 'refs/cairn/registry:models/iris/versions/2.json'));
    expect(stored).toEqual(await resolveModel(repo.dir, 'iris@2'));
    expect(stored.registeredBy).toBe('ana');
    gitCli(repo.dir, 'fsck', '--strict', '--no-progress');
    expect(await listModels(repo.dir)).toEqual([
      { model: 'iris', versions: 3, latest: 3, aliases: {} },
      { model: 'wine', versions: 1, latest: 1, aliases: {} },
    ]);
  });

  it('registering the same run again returns its version instead of minting one', async () => {
    const first = await registerVersion(repo.dir, 'iris', versionInput(1), { actor: 'ana' });
    const again = await registerVersion(repo.dir, 'iris', versionInput(1), { actor: 'ana' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ version: first.version, created: false });
    expect((await readAudit(repo.dir)).map((entry) => entry.kind)).toEqual(['model.register']);
  });

  it('coded errors for unknown models, versions, aliases and malformed references', async () => {
    await registerVersion(repo.dir, 'iris', versionInput(1), { actor: 'ana' });
    await expect(resolveModel(repo.dir, 'wine')).rejects.toMatchObject({ code: 'REGISTRY_MODEL_NOT_FOUND' });
    await expect(resolveModel(repo.dir, 'iris@7')).rejects.toMatchObject({
      code: 'REGISTRY_VERSION_NOT_FOUND',
      data: { known: [1] },
    });
    await expect(resolveModel(repo.dir, 'iris#prod')).rejects.toMatchObject({
      code: 'REGISTRY_ALIAS_NOT_FOUND',
    });
    for (const bad of ['Iris', 'iris@0', 'iris@x', '../x', 'iris#a#b', 'iris@1#a', '']) {
      await expect(resolveModel(repo.dir, bad)).rejects.toMatchObject({ code: 'REGISTRY_NAME_INVALID' });
    }
    await expect(
      setAlias(repo.dir, { model: 'iris', alias: 'champion', version: 4, why: 'x' }),
    ).rejects.toMatchObject({ code: 'REGISTRY_VERSION_NOT_FOUND' });
  });

  it('a registry record damaged in git is REGISTRY_CORRUPT naming the file and field', async () => {
    await registerVersion(repo.dir, 'iris', versionInput(1), { actor: 'ana' });
    const { commitFiles, compareAndSwapRef, openRepository, readRef } = await import('@cairn/git');
    const repository = openRepository(repo.dir);
    const tip = readRef(repository, 'refs/cairn/registry');
    const bad = await commitFiles(repo.dir, {
      parent: tip,
      files: {
        'models/iris/versions/1.json': JSON.stringify({
          ...versionInput(1),
          model: 'iris',
          version: 'one',
          registeredAt: 'x',
          registeredBy: 'm',
          auditSeq: 1,
        }),
      },
      message: 'damage',
      author: { name: 'm', email: 'm@x', timestamp: 0 },
    });
    expect(await compareAndSwapRef(repository, 'refs/cairn/registry', bad, tip)).toBe(true);
    await expect(resolveModel(repo.dir, 'iris@1')).rejects.toMatchObject({
      code: 'REGISTRY_CORRUPT',
      data: { file: 'models/iris/versions/1.json', pointer: '/version' },
    });
  });
});

describe('aliases', () => {
  it('answers who held an alias at any time, and rolls back step by step', async () => {
    const now = steppingClock('2026-03-01T10:00:00Z', 3600);
    for (const n of [1, 2, 3]) await registerVersion(repo.dir, 'iris', versionInput(n), { actor: 'ci', now });
    // 13:00 champion=1, 14:00 champion=2, 15:00 champion=3, 16:00 rollback→2, 17:00 rollback→1
    await setAlias(
      repo.dir,
      { model: 'iris', alias: 'champion', version: 1, why: 'first' },
      { actor: 'ana', now },
    );
    await setAlias(
      repo.dir,
      { model: 'iris', alias: 'champion', version: 2, why: 'better' },
      { actor: 'bo', now },
    );
    await setAlias(
      repo.dir,
      { model: 'iris', alias: 'challenger', version: 3, why: 'try' },
      { actor: 'bo', now },
    );
    await setAlias(
      repo.dir,
      { model: 'iris', alias: 'champion', version: 3, why: 'best' },
      { actor: 'cy', now },
    );
    const back = await rollbackAlias(
      repo.dir,
      { model: 'iris', alias: 'champion', why: 'latency' },
      { actor: 'ana', now },
    );
    expect(back).toMatchObject({ action: 'rollback', version: 2, previous: 3, who: 'ana' });
    const backAgain = await rollbackAlias(
      repo.dir,
      { model: 'iris', alias: 'champion', why: 'still bad' },
      { now },
    );
    expect(backAgain).toMatchObject({ version: 1, previous: 2 });
    await expect(
      rollbackAlias(repo.dir, { model: 'iris', alias: 'champion', why: 'again' }, { now }),
    ).rejects.toMatchObject({ code: 'REGISTRY_NO_PREVIOUS' });

    expect((await resolveModel(repo.dir, 'iris#champion')).version).toBe(1);
    const at = (iso: string) => new Date(iso);
    expect(await aliasesAt(repo.dir, 'iris', at('2026-03-01T12:59:59Z'))).toEqual({});
    expect(await aliasesAt(repo.dir, 'iris', at('2026-03-01T14:30:00Z'))).toEqual({
      champion: { version: 2, since: '2026-03-01T14:00:00.000Z', who: 'bo' },
    });
    expect((await resolveModel(repo.dir, 'iris#champion', { at: at('2026-03-01T16:00:00Z') })).version).toBe(
      3,
    );
    expect((await resolveModel(repo.dir, 'iris#champion', { at: at('2026-03-01T17:00:00Z') })).version).toBe(
      2,
    );
    expect(
      (await aliasHistory(repo.dir, 'iris', { alias: 'champion' })).map((e) => [
        e.action,
        e.previous,
        e.version,
      ]),
    ).toEqual([
      ['set', null, 1],
      ['set', 1, 2],
      ['set', 2, 3],
      ['rollback', 3, 2],
      ['rollback', 2, 1],
    ]);
    expect((await listModels(repo.dir))[0]!.aliases).toEqual({ champion: 1, challenger: 3 });
    // Every action left one chained audit entry, each a commit of the registry ref.
    const audit = await readAudit(repo.dir);
    expect(audit.map((e) => e.kind)).toEqual([
      ...Array(3).fill('model.register'),
      ...Array(4).fill('alias.set'),
      'alias.rollback',
      'alias.rollback',
    ]);
    expect(audit[4]).toMatchObject({
      subject: 'iris#champion',
      who: 'bo',
      why: 'better',
      what: { version: 2, previous: 1 },
    });
    expect(Number(gitCli(repo.dir, 'rev-list', '--count', 'refs/cairn/registry'))).toBe(audit.length);
    expect(await verifyAudit(repo.dir)).toEqual({ ok: true, entries: 9, anchors: 9 });
  });

  it('an expected holder that moved meanwhile is REGISTRY_ALIAS_CONFLICT; the same move twice records once', async () => {
    for (const n of [1, 2, 3]) await registerVersion(repo.dir, 'iris', versionInput(n));
    await setAlias(repo.dir, { model: 'iris', alias: 'champion', version: 1, why: 'a', expected: null });
    await expect(
      setAlias(repo.dir, { model: 'iris', alias: 'champion', version: 2, why: 'b', expected: null }),
    ).rejects.toMatchObject({ code: 'REGISTRY_ALIAS_CONFLICT', data: { expected: null, actual: 1 } });
    expect(await setAlias(repo.dir, { model: 'iris', alias: 'champion', version: 1, why: 'again' })).toEqual({
      changed: false,
    });
    expect((await aliasHistory(repo.dir, 'iris')).length).toBe(1);
  });

  it('survives packed refs and travels with push and fetch of refs/cairn/*', async () => {
    await registerVersion(repo.dir, 'iris', versionInput(1));
    gitCli(repo.dir, 'pack-refs', '--all');
    await registerVersion(repo.dir, 'iris', versionInput(2));
    await setAlias(repo.dir, { model: 'iris', alias: 'champion', version: 2, why: 'ship' });
    const remote = makeRepo('cairn-registry-remote-');
    const clone = makeRepo('cairn-registry-clone-');
    try {
      gitCli(repo.dir, 'push', '-q', remote.dir, 'refs/cairn/*:refs/cairn/*');
      gitCli(clone.dir, 'fetch', '-q', remote.dir, 'refs/cairn/*:refs/cairn/*');
      expect((await resolveModel(clone.dir, 'iris#champion')).version).toBe(2);
      expect(await verifyAudit(clone.dir)).toMatchObject({ ok: true, entries: 3 });
    } finally {
      remote.cleanup();
      clone.cleanup();
    }
  });
});

describe('concurrent writers in separate processes', () => {
  it('never lose an update: every registration and promotion lands, in one unbroken chain', async () => {
    const workers = 4;
    const rounds = 2;
    const results = await Promise.all(
      Array.from({ length: workers }, (_, n) =>
        runChild([
          repo.dir,
          'register-and-promote',
          ...Array.from({ length: rounds }, (_, r) => String(n * rounds + r + 1)),
        ]),
      ),
    );
    for (const result of results) expect(result.code, result.stderr + result.stdout).toBe(0);
    const versions = (await listVersions(repo.dir, 'iris')).map((v) => v.version);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each worker's versions were registered once, whatever the interleaving.
    expect(
      new Set(results.flatMap((r) => JSON.parse(r.stdout).ok.map((o: { version: number }) => o.version)))
        .size,
    ).toBe(workers * rounds);
    const history = await aliasHistory(repo.dir, 'iris', { alias: 'champion' });
    expect(history).toHaveLength(workers * rounds);
    // Each move saw the one before it: previous holders chain without a gap.
    expect(history.map((e) => e.previous)).toEqual([null, ...history.slice(0, -1).map((e) => e.version)]);
    expect(await verifyAudit(repo.dir)).toMatchObject({ ok: true, entries: 2 * workers * rounds });
  });

  it('two promoters expecting the same holder: exactly one wins, the other fails with a code', async () => {
    for (const n of [1, 2, 3]) await registerVersion(repo.dir, 'iris', versionInput(n));
    await setAlias(repo.dir, { model: 'iris', alias: 'champion', version: 1, why: 'start' });
    const [a, b] = await Promise.all([
      runChild([repo.dir, 'promote-expecting', '2', '1']),
      runChild([repo.dir, 'promote-expecting', '3', '1']),
    ]);
    const outcomes = [a!, b!].map((r) => JSON.parse(r.stdout));
    expect(outcomes.filter((o) => o.ok?.changed === true)).toHaveLength(1);
    expect(outcomes.filter((o) => o.error === 'REGISTRY_ALIAS_CONFLICT')).toHaveLength(1);
    const winner = outcomes.find((o) => o.ok)!.ok.event.version;
    expect((await resolveModel(repo.dir, 'iris#champion')).version).toBe(winner);
    expect(await aliasHistory(repo.dir, 'iris', { alias: 'champion' })).toHaveLength(2);
  });
});
