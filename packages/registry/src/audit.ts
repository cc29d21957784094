import { firstParentLog, readRef } from '@cairn/git';
import {
  AUDIT_FILE,
  entryHash,
  GENESIS,
  parseAuditLine,
  type AuditDraft,
  type AuditEntry,
} from './audit-chain';
import { registryError } from './errors';
import { openSnapshot, REGISTRY_REF, registryRepository, transact, type ActorOptions } from './transaction';

/**
 * Appends one entry for an action of any package (a deployment, say) to the
 * registry's audit log, as its own commit on the registry ref.
 */
export async function appendAudit(
  repoDir: string,
  draft: AuditDraft,
  options: ActorOptions = {},
): Promise<AuditEntry> {
  const { entry } = await transact(repoDir, options, async () => ({
    files: {},
    audit: draft,
    result: undefined,
  }));
  return entry!;
}

/** Every entry of the log, oldest first; lines that are not entries are REGISTRY_CORRUPT. */
export async function readAudit(repoDir: string): Promise<AuditEntry[]> {
  const text = (await (await openSnapshot(repoDir)).read(AUDIT_FILE)) ?? '';
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const entry = parseAuditLine(line);
      if (!entry) {
        throw registryError(
          'REGISTRY_CORRUPT',
          `${REGISTRY_REF}:${AUDIT_FILE} line ${index + 1}: not an audit entry`,
          { file: AUDIT_FILE, line: index + 1 },
          'run `cairn audit verify` to find where the log was damaged',
        );
      }
      return entry;
    });
}

/** The first place the log stops being trustworthy. */
export interface AuditBreak {
  /** 1-based line of the log (for a truncated log: one past its last line). */
  line: number;
  /** The seq that line should carry. */
  seq: number;
  problem: string;
}

export interface AuditVerdict {
  ok: boolean;
  entries: number;
  /** Registry commits whose recorded log head was checked against the log. */
  anchors: number;
  firstBad?: AuditBreak;
}

/**
 * Checks the chain line by line (each entry's hash, its seq, its link to the
 * one before) and against the heads recorded in the registry ref's commit
 * history (each commit's `Audit-Head: <seq> <hash>` trailer): an edit changes
 * a hash, a deletion, insertion or reordering breaks seq and prev, and a
 * truncation or a recomputed chain no longer contains a head an earlier
 * commit recorded. Names the earliest bad line.
 */
export async function verifyAudit(repoDir: string): Promise<AuditVerdict> {
  const tip = readRef(registryRepository(repoDir), REGISTRY_REF);
  const text = (await (await openSnapshot(repoDir)).read(AUDIT_FILE)) ?? '';
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const breaks: AuditBreak[] = [];
  const entries: Array<AuditEntry | undefined> = [];
  let previousHash = GENESIS;
  for (const [index, line] of lines.entries()) {
    const at = { line: index + 1, seq: index + 1 };
    const entry = parseAuditLine(line);
    entries.push(entry);
    if (!entry) {
      breaks.push({ ...at, problem: 'not a valid audit entry (malformed JSON or fields)' });
      break;
    }
    if (entryHash(entry) !== entry.hash) {
      breaks.push({ ...at, problem: 'edited: its content no longer matches its hash' });
      break;
    }
    if (entry.seq !== index + 1) {
      breaks.push({
        ...at,
        problem:
          entry.seq > index + 1
            ? `carries seq ${entry.seq}: ${entry.seq - index - 1} entr${entry.seq - index - 1 === 1 ? 'y' : 'ies'} before it were deleted`
            : `carries seq ${entry.seq}: an entry was inserted before it or entries were reordered`,
      });
      break;
    }
    if (entry.prev !== previousHash) {
      breaks.push({
        ...at,
        problem: 'does not link to the entry before it (deleted, inserted or reordered entries)',
      });
      break;
    }
    previousHash = entry.hash;
  }
  let anchors = 0;
  if (tip) {
    for (const commit of await firstParentLog(repoDir, tip)) {
      const match = /^Audit-Head: (\d+) ([0-9a-f]{64})$/m.exec(commit.message);
      if (!match) continue;
      anchors++;
      const seq = Number(match[1]);
      const entry = entries[seq - 1];
      if (seq > lines.length) {
        breaks.push({
          line: lines.length + 1,
          seq: lines.length + 1,
          problem: `truncated: registry commit ${commit.oid.slice(0, 12)} recorded entry ${seq}, the log ends at ${lines.length}`,
        });
      } else if (entry && entry.hash !== match[2]) {
        breaks.push({
          line: seq,
          seq,
          problem: `differs from the entry registry commit ${commit.oid.slice(0, 12)} recorded (rewritten, inserted or reordered)`,
        });
      }
    }
  }
  const firstBad = breaks.sort((a, b) => a.line - b.line)[0];
  return { ok: !firstBad, entries: lines.length, anchors, ...(firstBad ? { firstBad } : {}) };
}

/** verifyAudit, failing with AUDIT_TAMPERED naming the first bad entry when the log is not intact. */
export async function assertAuditIntact(repoDir: string): Promise<AuditVerdict> {
  const verdict = await verifyAudit(repoDir);
  if (verdict.firstBad) {
    const { line, problem } = verdict.firstBad;
    throw registryError(
      'AUDIT_TAMPERED',
      `${REGISTRY_REF}:${AUDIT_FILE} entry ${line} ${problem}`,
      { ...verdict.firstBad, entries: verdict.entries },
      'compare with a clone that fetched the registry before (`git fetch origin refs/cairn/*:refs/remotes/origin/cairn/*`)',
    );
  }
  return verdict;
}
