import * as os from 'node:os';
import {
  commitFiles,
  compareAndSwapRef,
  gitUser,
  listTreeAtCommit,
  openRepository,
  readRef,
  readTextAtCommit,
  type Repository,
} from '@cairn/git';
import { AUDIT_FILE, chainEntry, lastEntry, type AuditDraft, type AuditEntry } from './audit-chain';
import { registryError } from './errors';

/** The one ref holding the whole registry: versions, alias histories and the audit log. */
export const REGISTRY_REF = 'refs/cairn/registry';

/** The git repository the registry lives in, with the hint a user needs when there is none. */
export function registryRepository(repoDir: string): Repository {
  return openRepository(repoDir, 'the registry lives in a git repository: run `git init` first');
}

/** Who acts and when; both injectable so CI can name the job and tests can fix the clock. */
export interface ActorOptions {
  /** Recorded as "who"; default CAIRN_ACTOR, GITHUB_ACTOR, git user.name <user.email>, then user@host. */
  actor?: string;
  /** Clock; default the system clock. Entries never go back in time: see `transact`. */
  now?: () => Date;
  /** How many times a lost compare-and-swap is retried before REGISTRY_BUSY (default 200). */
  attempts?: number;
}

/** Read access to the registry as of one commit of its ref (undefined: empty registry). */
export class RegistrySnapshot {
  constructor(
    readonly repoDir: string,
    readonly commit: string | undefined,
  ) {}

  read(path: string): Promise<string | undefined> {
    return this.commit ? readTextAtCommit(this.repoDir, this.commit, path) : Promise.resolve(undefined);
  }

  list(dir: string): Promise<string[]> {
    return this.commit ? listTreeAtCommit(this.repoDir, this.commit, dir) : Promise.resolve([]);
  }
}

export async function openSnapshot(repoDir: string): Promise<RegistrySnapshot> {
  return new RegistrySnapshot(repoDir, readRef(registryRepository(repoDir), REGISTRY_REF));
}

/** What one registry action writes: files (slash paths → text), its audit entry and its result. */
export interface Change<T> {
  files: Record<string, string>;
  audit: AuditDraft;
  result: T;
}

export async function resolveActor(repoDir: string, options: ActorOptions): Promise<string> {
  const explicit = options.actor ?? process.env.CAIRN_ACTOR ?? process.env.GITHUB_ACTOR;
  if (explicit?.trim()) return explicit.trim();
  const user = await gitUser(repoDir).catch(() => ({}) as { name?: string; email?: string });
  if (user.name) return user.email ? `${user.name} <${user.email}>` : user.name;
  return `${os.userInfo().username}@${os.hostname()}`;
}

function emailOf(actor: string): string {
  return /<([^<>\s]+)>/.exec(actor)?.[1] ?? 'cairn@localhost';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `plan` against the registry's current commit and publishes its files
 * and audit entry as one new commit with a compare-and-swap on the ref. When
 * another writer moved the ref first, the plan runs again on the new state
 * (so a promotion is re-decided, never blindly overwritten); a plan that
 * finds its precondition gone throws its own coded error instead.
 *
 * Each entry's time is later than the previous entry's (by a millisecond at
 * least), so "who held the alias at T" has one answer even when two
 * machines' clocks disagree slightly.
 */
export async function transact<T>(
  repoDir: string,
  options: ActorOptions,
  plan: (
    snapshot: RegistrySnapshot,
    next: { at: string; seq: number; who: string },
  ) => Promise<Change<T> | { unchanged: T }>,
): Promise<{ result: T; entry?: AuditEntry }> {
  const who = await resolveActor(repoDir, options);
  const attempts = options.attempts ?? 200;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const snapshot = await openSnapshot(repoDir);
    const auditText = (await snapshot.read(AUDIT_FILE)) ?? '';
    const previous = lastEntry(auditText);
    const clock = (options.now ?? (() => new Date()))();
    const at = new Date(Math.max(clock.getTime(), previous ? Date.parse(previous.at) + 1 : 0)).toISOString();
    const change = await plan(snapshot, { at, seq: (previous?.seq ?? 0) + 1, who });
    if ('unchanged' in change) return { result: change.unchanged };
    const entry = chainEntry(previous, { ...change.audit, who: change.audit.who ?? who }, at);
    const separator = auditText === '' || auditText.endsWith('\n') ? '' : '\n';
    const commit = await commitFiles(repoDir, {
      parent: snapshot.commit,
      files: { ...change.files, [AUDIT_FILE]: `${auditText}${separator}${JSON.stringify(entry)}\n` },
      message: `${entry.kind} ${entry.subject}\n\n${entry.why}\n\nAudit-Head: ${entry.seq} ${entry.hash}\n`,
      author: { name: entry.who, email: emailOf(entry.who), timestamp: Math.floor(Date.parse(at) / 1000) },
    });
    if (await compareAndSwapRef(registryRepository(repoDir), REGISTRY_REF, commit, snapshot.commit)) {
      return { result: change.result, entry };
    }
    // Jittered backoff keeps many writers from retrying in lockstep.
    await sleep(Math.min(50, attempt * 2) * Math.random());
  }
  throw registryError('REGISTRY_BUSY', `${REGISTRY_REF}: still moving or locked after ${attempts} attempts`, {
    ref: REGISTRY_REF,
    attempts,
  });
}
