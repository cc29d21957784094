import { hashBuffer } from '@cairn/hash';
import { canonicalJson } from './canonical-json';
import { registryError } from './errors';
import { compileSchema } from './records';

/** The audit log inside the registry tree: one JSON entry per line, oldest first. */
export const AUDIT_FILE = 'audit.jsonl';

/** The `prev` of the first entry. */
export const GENESIS = '0'.repeat(64);

/** One line of the audit log. `hash` is BLAKE3 of the canonical JSON of every other field. */
export interface AuditEntry {
  /** 1, 2, 3… in log order. */
  seq: number;
  /** `hash` of the entry before (GENESIS for the first). */
  prev: string;
  /** ISO time, never earlier than the entry before. */
  at: string;
  who: string;
  /** `area.action`, e.g. `model.register`, `alias.set`, `alias.rollback`, `deploy.promote`. */
  kind: string;
  /** What was acted on, e.g. `iris@3`, `iris#champion`. */
  subject: string;
  /** Structured details of the action. */
  what: Record<string, unknown>;
  why: string;
  hash: string;
}

/** What a caller supplies to append an entry; seq, prev, at and hash are the log's. */
export interface AuditDraft {
  kind: string;
  subject: string;
  why: string;
  what?: Record<string, unknown>;
  /** Default: the acting user (see ActorOptions.actor). */
  who?: string;
}

const KIND = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

const validEntry = compileSchema<AuditEntry>({
  type: 'object',
  additionalProperties: false,
  required: ['seq', 'prev', 'at', 'who', 'kind', 'subject', 'what', 'why', 'hash'],
  properties: {
    seq: { type: 'integer', minimum: 1 },
    prev: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    at: { type: 'string', minLength: 20 },
    who: { type: 'string' },
    kind: { type: 'string', pattern: KIND.source },
    subject: { type: 'string' },
    what: { type: 'object' },
    why: { type: 'string' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
});

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, prev, at, who, kind, subject, what, why } = entry;
  return hashBuffer(canonicalJson({ seq, prev, at, who, kind, subject, what, why }));
}

function checkDraft(draft: AuditDraft): void {
  const problem = !KIND.test(draft.kind ?? '')
    ? `kind "${draft.kind}" is not area.action (lowercase words joined by ".")`
    : !draft.subject?.trim()
      ? 'subject is empty'
      : !draft.why?.trim()
        ? 'why is empty: every audited action states its reason'
        : undefined;
  if (problem) {
    throw registryError('AUDIT_ENTRY_INVALID', `audit entry: ${problem}`, {
      kind: draft.kind,
      subject: draft.subject,
    });
  }
}

/** The entry that follows `previous` (undefined: the first) for `draft` at time `at`. */
export function chainEntry(
  previous: AuditEntry | undefined,
  draft: AuditDraft & { who: string },
  at: string,
): AuditEntry {
  checkDraft(draft);
  const body = {
    seq: (previous?.seq ?? 0) + 1,
    prev: previous?.hash ?? GENESIS,
    at,
    who: draft.who,
    kind: draft.kind,
    subject: draft.subject,
    what: draft.what ?? {},
    why: draft.why.trim(),
  };
  return { ...body, hash: entryHash(body) };
}

/** The log's last entry, read to chain the next one (a full check is `verifyAudit`). */
export function lastEntry(text: string): AuditEntry | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const entry = parseAuditLine(last);
  if (!entry) {
    throw registryError(
      'REGISTRY_CORRUPT',
      `${AUDIT_FILE} line ${lines.length}: not an audit entry`,
      { file: AUDIT_FILE, line: lines.length },
      'run `cairn audit verify` to find where the log was damaged',
    );
  }
  return entry;
}

export function parseAuditLine(line: string): AuditEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return validEntry.matches(value) ? value : undefined;
}
