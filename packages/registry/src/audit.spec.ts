import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitCli, makeRepo, steppingClock, tamperAuditLog } from '../test/helpers';
import { appendAudit, assertAuditIntact, entryHash, readAudit, verifyAudit, type AuditEntry } from './index';

let repo: { dir: string; cleanup: () => void };
let lines: string[];

beforeEach(async () => {
  repo = makeRepo('cairn-audit-');
  const now = steppingClock('2026-04-01T08:00:00Z');
  for (let n = 1; n <= 5; n++) {
    await appendAudit(
      repo.dir,
      { kind: 'deploy.promote', subject: `iris@${n}`, what: { step: n }, why: `canary ${n} healthy` },
      { actor: `ops-${n}`, now },
    );
  }
  lines = gitCli(repo.dir, 'show', 'refs/cairn/registry:audit.jsonl').split('\n');
});
afterEach(() => repo.cleanup());

const log = (entries: string[]) => `${entries.join('\n')}\n`;
const parse = (line: string) => JSON.parse(line) as AuditEntry;
/** An entry whose own hash is recomputed after an edit: only the chain around it can tell. */
const rehashed = (entry: Omit<AuditEntry, 'hash'>) => JSON.stringify({ ...entry, hash: entryHash(entry) });

describe('the audit chain', () => {
  it('appends chained entries any package can write, and verifies an untouched log', async () => {
    const entries = await readAudit(repo.dir);
    expect(entries.map((e) => [e.seq, e.who, e.at])).toEqual([
      [1, 'ops-1', '2026-04-01T08:00:00.000Z'],
      [2, 'ops-2', '2026-04-01T08:01:00.000Z'],
      [3, 'ops-3', '2026-04-01T08:02:00.000Z'],
      [4, 'ops-4', '2026-04-01T08:03:00.000Z'],
      [5, 'ops-5', '2026-04-01T08:04:00.000Z'],
    ]);
    expect(entries[0]!.prev).toBe('0'.repeat(64));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prev).toBe(entries[i - 1]!.hash);
    expect(await verifyAudit(repo.dir)).toEqual({ ok: true, entries: 5, anchors: 5 });
  });

  it('entry times strictly increase even when a clock goes back', async () => {
    const entry = await appendAudit(
      repo.dir,
      { kind: 'deploy.abort', subject: 'iris@5', why: 'error budget' },
      { now: () => new Date('2020-01-01T00:00:00Z') },
    );
    expect(entry.at).toBe('2026-04-01T08:04:00.001Z');
  });

  it('rejects entries without a kind, subject or reason', async () => {
    for (const draft of [
      { kind: 'promote', subject: 'x', why: 'y' },
      { kind: 'deploy.promote', subject: ' ', why: 'y' },
      { kind: 'deploy.promote', subject: 'x', why: '' },
    ]) {
      await expect(appendAudit(repo.dir, draft)).rejects.toMatchObject({ code: 'AUDIT_ENTRY_INVALID' });
    }
    expect((await readAudit(repo.dir)).length).toBe(5);
  });
});

describe('verify names the first bad entry for each kind of tampering', () => {
  it('an edited entry (hash left alone)', async () => {
    const edited = [...lines];
    edited[2] = JSON.stringify({ ...parse(lines[2]!), why: 'nothing to see' });
    tamperAuditLog(repo.dir, log(edited.filter(Boolean)));
    expect(await verifyAudit(repo.dir)).toMatchObject({
      ok: false,
      firstBad: { line: 3, problem: /edited/ },
    });
  });

  it('an edited entry with its own hash recomputed', async () => {
    const edited = [...lines];
    const { hash: _, ...body } = parse(lines[2]!);
    edited[2] = rehashed({ ...body, who: 'someone else' });
    tamperAuditLog(repo.dir, log(edited.filter(Boolean)));
    expect(await verifyAudit(repo.dir)).toMatchObject({ ok: false, firstBad: { line: 3 } });
  });

  it('a deleted entry', async () => {
    tamperAuditLog(repo.dir, log(lines.filter(Boolean).filter((_, i) => i !== 1)));
    expect(await verifyAudit(repo.dir)).toMatchObject({
      ok: false,
      firstBad: { line: 2, problem: /deleted/ },
    });
    await expect(assertAuditIntact(repo.dir)).rejects.toMatchObject({
      code: 'AUDIT_TAMPERED',
      exitCode: 1,
      data: { line: 2, entries: 4 },
    });
  });

  it('the last entry deleted (truncation): caught by the heads earlier commits recorded', async () => {
    tamperAuditLog(repo.dir, log(lines.filter(Boolean).slice(0, 4)));
    expect(await verifyAudit(repo.dir)).toMatchObject({
      ok: false,
      firstBad: { line: 5, problem: /truncated/ },
    });
  });

  it('an inserted entry that links correctly to the one before it', async () => {
    const kept = lines.filter(Boolean);
    const before = parse(kept[1]!);
    const forged = rehashed({
      seq: 3,
      prev: before.hash,
      at: '2026-04-01T08:01:30.000Z',
      who: 'ops-2',
      kind: 'deploy.promote',
      subject: 'iris@9',
      what: {},
      why: 'looks routine',
    });
    tamperAuditLog(repo.dir, log([...kept.slice(0, 2), forged, ...kept.slice(2)]));
    expect(await verifyAudit(repo.dir)).toMatchObject({ ok: false, firstBad: { line: 3 } });
  });

  it('two entries swapped', async () => {
    const kept = lines.filter(Boolean);
    tamperAuditLog(repo.dir, log([kept[0]!, kept[2]!, kept[1]!, ...kept.slice(3)]));
    expect(await verifyAudit(repo.dir)).toMatchObject({ ok: false, firstBad: { line: 2 } });
  });

  it('a whole chain recomputed after an edit: caught by the recorded heads', async () => {
    let prev = '0'.repeat(64);
    const rewritten = lines.filter(Boolean).map((line) => {
      const { hash: _, ...body } = parse(line);
      const entry = { ...body, prev, why: body.seq === 2 ? 'rewritten' : body.why };
      prev = entryHash(entry);
      return rehashed(entry);
    });
    tamperAuditLog(repo.dir, log(rewritten));
    expect(await verifyAudit(repo.dir)).toMatchObject({
      ok: false,
      firstBad: { line: 2, problem: /recorded/ },
    });
  });

  it('a line that is not an entry', async () => {
    const kept = lines.filter(Boolean);
    tamperAuditLog(repo.dir, log([...kept.slice(0, 3), '{"seq": 4', ...kept.slice(4)]));
    expect(await verifyAudit(repo.dir)).toMatchObject({ ok: false, firstBad: { line: 4 } });
    await expect(readAudit(repo.dir)).rejects.toMatchObject({ code: 'REGISTRY_CORRUPT', data: { line: 4 } });
  });
});
