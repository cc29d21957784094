import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from '../test/helpers';
import { initWorkspace } from './config';
import {
  CAIRN_DIR,
  cairnPath,
  CairnTree,
  digestOf,
  isDirId,
  isObjectId,
  objectPath,
  objectRelativePath,
  ROOT_GITIGNORE_LINES,
} from './layout';

const FILE_ID = 'ab'.repeat(32);
const DIR_ID = `${'0f'.repeat(32)}.dir`;

/** The files of `paths` git would ignore, asked of git itself (`check-ignore` exits 1 when none is). */
function ignoredByGit(root: string, paths: string[]): string[] {
  try {
    return execFileSync('git', ['check-ignore', '--no-index', ...paths], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

/** One file inside each entry of `.cairn/` (and the entries that are files themselves), relative to `root`. */
function sampleFiles(root: string): Record<string, string> {
  const samples: Record<string, string> = {};
  for (const [name, entry] of Object.entries(CairnTree)) {
    const isFile = name === 'config' || name === 'gitignore' || name === 'statIndex';
    const file = isFile ? cairnPath(root, entry) : join(cairnPath(root, entry), 'sample', 'file');
    mkdirSync(join(file, '..'), { recursive: true });
    if (!existsSync(file)) writeFileSync(file, 'x');
    samples[name] = relative(root, file);
  }
  return samples;
}

describe('store layout', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(cleanup));

  it('places objects at b3/<2 hex>/<62 hex>[.dir] and refuses anything that is not an id', () => {
    expect(objectRelativePath(FILE_ID)).toBe(`b3/ab/${'ab'.repeat(31)}`);
    expect(objectPath('/store', DIR_ID)).toBe(`/store/b3/0f/${'0f'.repeat(31)}.dir`);
    expect(isDirId(DIR_ID) && !isDirId(FILE_ID)).toBe(true);
    expect(digestOf(DIR_ID)).toBe('0f'.repeat(32));
    for (const bad of [
      '',
      'AB'.repeat(32),
      `${FILE_ID}.DIR`,
      `${FILE_ID}/`,
      `../${FILE_ID}`,
      FILE_ID.slice(1),
    ]) {
      expect(isObjectId(bad)).toBe(false);
      expect(() => objectPath('/store', bad)).toThrow(
        expect.objectContaining({ code: 'STORE_BAD_OBJECT_ID' }),
      );
    }
    expect(isObjectId(42)).toBe(false);
  });

  it('.cairn/.gitignore written by init keeps every local entry out of git and commits the config', async () => {
    const root = tempDir();
    dirs.push(root);
    execFileSync('git', ['init', '-q'], { cwd: root });
    await initWorkspace(root);
    const samples = sampleFiles(root);
    const ignored = new Set(ignoredByGit(root, Object.values(samples)));
    const committed = Object.entries(samples)
      .filter(([, file]) => !ignored.has(file))
      .map(([name]) => name);
    expect(committed.sort()).toEqual(['config', 'gitignore']);
  });

  it('the root .gitignore lines ignore the same entries', () => {
    const root = tempDir();
    dirs.push(root);
    execFileSync('git', ['init', '-q'], { cwd: root });
    writeFileSync(join(root, '.gitignore'), `${ROOT_GITIGNORE_LINES.join('\n')}\n`);
    const samples = sampleFiles(root);
    const ignored = new Set(ignoredByGit(root, Object.values(samples)));
    const committed = Object.entries(samples)
      .filter(([, file]) => !ignored.has(file))
      .map(([name]) => name);
    expect(committed.sort()).toEqual(['config', 'gitignore']);
    expect(samples.config).toBe(join(CAIRN_DIR, 'config.json'));
  });

  it('init adds the lines an older .cairn/.gitignore lacks and keeps the user’s own', async () => {
    const root = tempDir();
    dirs.push(root);
    mkdirSync(join(root, CAIRN_DIR));
    writeFileSync(cairnPath(root, CairnTree.gitignore), '/cache/\n/mine\n');
    await initWorkspace(root);
    await initWorkspace(root);
    const lines = readFileSync(cairnPath(root, CairnTree.gitignore), 'utf8').split('\n');
    expect(lines.filter((line) => line === '/cache/')).toHaveLength(1);
    expect(lines).toContain('/mine');
    expect(lines).toContain('/runs/');
    expect(lines).toContain('/tmp/');
  });
});
