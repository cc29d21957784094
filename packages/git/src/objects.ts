import { gitError } from './errors';
import { gitContext, isoGit, openRepository, type Repository } from './repository';

/** Who made a commit and when (seconds since the epoch, UTC). */
export interface CommitAuthor {
  name: string;
  email: string;
  timestamp: number;
}

/** A commit of a ref's history: its id, message, author and first parent. */
export interface RefCommit {
  oid: string;
  message: string;
  author: CommitAuthor;
  parent?: string;
}

function open(repoDir: string): Repository {
  return openRepository(repoDir, 'the registry lives in a git repository: run `git init` first');
}

/** Text of `filepath` in the tree of `commit`, or undefined when absent. */
export async function readTextAtCommit(
  repoDir: string,
  commit: string,
  filepath: string,
): Promise<string | undefined> {
  const repository = open(repoDir);
  try {
    const { blob } = await (await isoGit()).readBlob({ ...gitContext(repository), oid: commit, filepath });
    return Buffer.from(blob).toString('utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NotFoundError' || code === 'ObjectTypeError') return undefined;
    throw error;
  }
}

/** Names of the entries of folder `dirpath` in the tree of `commit` (empty when absent). */
export async function listTreeAtCommit(repoDir: string, commit: string, dirpath: string): Promise<string[]> {
  const repository = open(repoDir);
  try {
    const { tree } = await (
      await isoGit()
    ).readTree({ ...gitContext(repository), oid: commit, filepath: dirpath });
    return tree.map((entry) => entry.path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NotFoundError' || code === 'ObjectTypeError') return [];
    throw error;
  }
}

type TreeEntry = { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' };

/** Writes the tree `base` with `files` (slash paths → text) replaced or added, bottom-up. */
async function writeTreeWith(
  repository: Repository,
  base: string | undefined,
  files: Map<string, string>,
): Promise<string> {
  const git = await isoGit();
  const context = gitContext(repository);
  const entries = new Map<string, TreeEntry>();
  if (base)
    for (const entry of (await git.readTree({ ...context, oid: base })).tree) entries.set(entry.path, entry);
  const children = new Map<string, Map<string, string>>();
  for (const [path, text] of files) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      const oid = await git.writeBlob({ ...context, blob: Buffer.from(text, 'utf8') });
      entries.set(path, { mode: '100644', path, oid, type: 'blob' });
    } else {
      const head = path.slice(0, slash);
      if (!children.has(head)) children.set(head, new Map());
      children.get(head)!.set(path.slice(slash + 1), text);
    }
  }
  for (const [name, nested] of children) {
    const existing = entries.get(name);
    const oid = await writeTreeWith(repository, existing?.type === 'tree' ? existing.oid : undefined, nested);
    entries.set(name, { mode: '040000', path: name, oid, type: 'tree' });
  }
  return git.writeTree({ ...context, tree: [...entries.values()] });
}

/**
 * A new commit whose tree is `parent`'s with `files` written (text, slash
 * paths relative to the tree root), not attached to any ref: publish it with
 * compareAndSwapRef. The working tree and index are never touched.
 */
export async function commitFiles(
  repoDir: string,
  options: { parent?: string; files: Record<string, string>; message: string; author: CommitAuthor },
): Promise<string> {
  const repository = open(repoDir);
  const git = await isoGit();
  const context = gitContext(repository);
  for (const path of Object.keys(options.files)) {
    if (path.split('/').some((part) => part === '' || part === '.' || part === '..' || part === '.git')) {
      throw gitError('GIT_PATH_OUTSIDE_REPOSITORY', `${path}: not a plain path inside a tree`, {
        file: path,
      });
    }
  }
  const baseTree = options.parent
    ? (await git.readCommit({ ...context, oid: options.parent })).commit.tree
    : undefined;
  const tree = await writeTreeWith(repository, baseTree, new Map(Object.entries(options.files)));
  const person = { ...options.author, timezoneOffset: 0 };
  return git.writeCommit({
    ...context,
    commit: {
      tree,
      parent: options.parent ? [options.parent] : [],
      author: person,
      committer: person,
      message: options.message.endsWith('\n') ? options.message : `${options.message}\n`,
    },
  });
}

/** The first-parent history of `commit`, newest first. */
export async function firstParentLog(repoDir: string, commit: string): Promise<RefCommit[]> {
  const repository = open(repoDir);
  const git = await isoGit();
  const context = gitContext(repository, {});
  const log: RefCommit[] = [];
  for (let oid: string | undefined = commit; oid;) {
    const { commit: parsed } = await git.readCommit({ ...context, oid });
    log.push({
      oid,
      message: parsed.message,
      author: { name: parsed.author.name, email: parsed.author.email, timestamp: parsed.author.timestamp },
      parent: parsed.parent[0],
    });
    oid = parsed.parent[0];
  }
  return log;
}

/** A tag under refs/tags, peeled: the commit it names and, for annotated tags, the tagger and message. */
export interface TagInfo {
  name: string;
  commit: string;
  tagger?: CommitAuthor;
  message?: string;
}

/** Every tag of the repository (loose and packed), annotated ones with their tagger. */
export async function listTags(repoDir: string): Promise<TagInfo[]> {
  const repository = open(repoDir);
  const git = await isoGit();
  const context = gitContext(repository);
  const tags: TagInfo[] = [];
  for (const name of await git.listTags(context)) {
    let oid = await git.resolveRef({ ...context, ref: `refs/tags/${name}` });
    let info: TagInfo = { name, commit: oid };
    const object = await git.readObject({ ...context, oid, format: 'parsed' });
    if (object.type === 'tag') {
      const tag = object.object as { object: string; tagger: CommitAuthor; message: string };
      oid = tag.object;
      info = {
        name,
        commit: oid,
        tagger: { name: tag.tagger.name, email: tag.tagger.email, timestamp: tag.tagger.timestamp },
        message: tag.message,
      };
    }
    tags.push(info);
  }
  return tags;
}

/** The configured `user.name` / `user.email` of the repository (local, then global config), when set. */
export async function gitUser(repoDir: string): Promise<{ name?: string; email?: string }> {
  const repository = open(repoDir);
  const git = await isoGit();
  const context = gitContext(repository);
  const name = (await git.getConfig({ ...context, path: 'user.name' })) as string | undefined;
  const email = (await git.getConfig({ ...context, path: 'user.email' })) as string | undefined;
  return { name: name || undefined, email: email || undefined };
}
