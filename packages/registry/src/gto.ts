import { listTags, type TagInfo } from '@cairn/git';

/** GTO's artifact name rule: lowercase words of letters and digits joined by "-", optionally under folders. */
const GTO_NAME = /^(?:[a-z0-9-/.]+:)?[a-z0-9]([a-z0-9-/]*[a-z0-9])?$/;
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** One GTO action read from a git tag (GTO writes annotated tags; the tagger gives who and when). */
export type GtoEvent =
  | {
      action: 'register' | 'deregister';
      model: string;
      version: string;
      tag: string;
      commit: string;
      at?: string;
      by?: string;
    }
  | { action: 'deprecate'; model: string; tag: string; commit: string; at?: string; by?: string }
  | {
      action: 'assign' | 'unassign';
      model: string;
      stage: string;
      /** GTO's per-model counter (`#N`); absent for the simple `model#stage` form. */
      number?: number;
      tag: string;
      commit: string;
      at?: string;
      by?: string;
    };

/** What a tag name alone says (the tag's commit and tagger complete a GtoEvent). */
export type GtoAction = GtoEvent extends infer E
  ? E extends GtoEvent
    ? Omit<E, 'tag' | 'commit' | 'at' | 'by'>
    : never
  : never;

/**
 * Parses a GTO tag name: `model@v1.2.3` (register), `model@v1.2.3!`
 * (deregister), `model@deprecated`, `model#stage#N` or `model#stage`
 * (assign a stage), `model#stage!#N` (unassign). Undefined for other tags.
 */
export function parseGtoTag(name: string): GtoAction | undefined {
  if (name.includes('@')) {
    const at = name.lastIndexOf('@');
    const model = name.slice(0, at);
    const rest = name.slice(at + 1);
    if (!GTO_NAME.test(model)) return undefined;
    if (rest === 'deprecated') return { action: 'deprecate', model };
    const deregister = rest.endsWith('!');
    const version = deregister ? rest.slice(0, -1) : rest;
    if (!SEMVER.test(version)) return undefined;
    return { action: deregister ? 'deregister' : 'register', model, version };
  }
  const parts = name.split('#');
  if (parts.length < 2 || parts.length > 3 || !GTO_NAME.test(parts[0]!)) return undefined;
  const unassign = parts[1]!.endsWith('!');
  const stage = unassign ? parts[1]!.slice(0, -1) : parts[1]!;
  if (!GTO_NAME.test(stage)) return undefined;
  if (parts.length === 3 && !/^\d+$/.test(parts[2]!)) return undefined;
  return {
    action: unassign ? 'unassign' : 'assign',
    model: parts[0]!,
    stage,
    ...(parts.length === 3 ? { number: Number(parts[2]) } : {}),
  };
}

function eventOf(tag: TagInfo): GtoEvent | undefined {
  const parsed = parseGtoTag(tag.name);
  if (!parsed) return undefined;
  return {
    ...parsed,
    tag: tag.name,
    commit: tag.commit,
    ...(tag.tagger
      ? {
          at: new Date(tag.tagger.timestamp * 1000).toISOString(),
          by: `${tag.tagger.name} <${tag.tagger.email}>`,
        }
      : {}),
  } as GtoEvent;
}

/**
 * Every GTO action recorded in the repository's tags, oldest first (by
 * tagger time, then GTO's `#N` counter, as GTO itself orders them), so a
 * repository managed with GTO can be read, and moved to Cairn's registry,
 * without GTO installed.
 */
export async function readGtoTags(repoDir: string): Promise<GtoEvent[]> {
  return (await listTags(repoDir))
    .map(eventOf)
    .filter((event): event is GtoEvent => event !== undefined)
    .sort(
      (a, b) =>
        (a.at ?? '').localeCompare(b.at ?? '') ||
        ('number' in a && 'number' in b ? (a.number ?? 0) - (b.number ?? 0) : 0) ||
        a.tag.localeCompare(b.tag),
    );
}
