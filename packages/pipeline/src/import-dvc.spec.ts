import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout, initWorkspace, readPointer, status } from '@cairn/store';
import { oraclePath } from '../../../tools/test-support/src';
import { importDvc, type ImportDvcReport } from './import-dvc';
import { discoverProjects, resolveTrainable } from './index';

// md5 and BLAKE3 come from coreutils' md5sum and b3sum, independent of the code under test.
function md5sum(bytes: Buffer | string): string {
  return execFileSync('md5sum', { input: bytes }).toString().slice(0, 32);
}
function b3sum(file: string): string {
  return execFileSync('b3sum', ['--no-names', file]).toString().trim();
}

interface HashCases {
  file_md5: Array<{ content_utf8: string; md5: string }>;
  dir_md5: {
    cases: Array<{
      tree: Record<string, string>;
      md5: string;
      manifest?: string;
      size?: number;
      nfiles?: number;
    }>;
  };
}

function write(root: string, file: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

/** Puts `content` into DVC's cache under `md5`: the 3.x layout (files/md5/) or the 2.x one. */
function cache(root: string, md5: string, content: string | Buffer, layout: '3' | '2' = '3'): void {
  const prefix = layout === '3' ? '.dvc/cache/files/md5' : '.dvc/cache';
  write(root, `${prefix}/${md5.slice(0, 2)}/${md5.slice(2)}`, content);
}

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(root, path)] = readFileSync(path).toString('base64');
    }
  };
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (entry === '.dvc') walk(path);
    else if (entry.endsWith('.dvc') || ['dvc.yaml', 'dvc.lock', 'params.yaml'].includes(entry))
      out[entry] = readFileSync(path).toString('base64');
  }
  return out;
}

describe('cairn import-dvc on DVC-layout repositories built from real DVC files', () => {
  const root = mkdtempSync(join(tmpdir(), 'cairn-import-dvc-'));
  const cases = JSON.parse(readFileSync(oraclePath('dvc', 'hash_cases.json'), 'utf8')) as HashCases;
  const folder = cases.dir_md5.cases[0]!;
  const legacyFolder = cases.dir_md5.cases[2]!;
  const csv = 'sepal,label\n5.1,a\n6.3,b\n';
  const crlf = 'line one\r\nline two\r\n';
  let before: Record<string, string>;
  let report: ImportDvcReport;

  beforeAll(async () => {
    // The get-started project as published (dvc.yaml, dvc.lock, params.yaml, data/data.xml.dvc, .dvc/config): its data
    // lives on DVC's HTTP remote, so its objects are missing here.
    cpSync(oraclePath('dvc', 'example-get-started'), root, { recursive: true });
    // A DVC 2.x .dvc file exactly as dataset-registry had it (no `hash: md5`), object missing too.
    write(
      root,
      'legacy/owl_sticker.svg.dvc',
      readFileSync(oraclePath('dvc', 'legacy-dvc2-format', 'owl_sticker.svg.dvc@0b954345')),
    );
    // A DVC 3.x folder output as dataset-registry publishes it (2,800 files on DVC's remote, not here).
    write(
      root,
      'use-cases/cats-dogs.dvc',
      readFileSync(oraclePath('dvc', 'dataset-registry', 'use-cases', 'cats-dogs.dvc')),
    );
    // A folder output with its .dir manifest, from the hash cases (tests/unit/fs/test_data.py::test_get_hash_dir).
    write(
      root,
      'images.dvc',
      `outs:\n- md5: ${folder.md5}\n  size: ${folder.size}\n  nfiles: ${folder.nfiles}\n  hash: md5\n  path: images\n`,
    );
    cache(root, folder.md5, folder.manifest!);
    for (const content of Object.values(folder.tree)) {
      cache(root, cases.file_md5.find((f) => f.content_utf8 === content)!.md5, content);
    }
    // A DVC 2.x folder output (no `hash: md5`), every object in the 2.x cache layout only. Its .dir text is
    // built by DVC's rule (sorted entries, Python json.dumps spacing) and must hash to the case's md5.
    const entries = Object.entries(legacyFolder.tree)
      .map(([relpath, content]) => ({
        relpath,
        md5: cases.file_md5.find((f) => f.content_utf8 === content)!.md5,
      }))
      .sort((a, b) => (a.relpath < b.relpath ? -1 : 1));
    const legacyManifest = `[${entries.map((e) => `{"md5": "${e.md5}", "relpath": "${e.relpath}"}`).join(', ')}]`;
    expect(`${md5sum(legacyManifest)}.dir`).toBe(legacyFolder.md5);
    write(root, 'old/images.dvc', `outs:\n- md5: ${legacyFolder.md5}\n  path: images\n`);
    cache(root, legacyFolder.md5, legacyManifest, '2');
    for (const e of entries) cache(root, e.md5, legacyFolder.tree[e.relpath]!, '2');
    // A CSV (becomes a dataset project), DVC 3.x.
    write(
      root,
      'tables/iris.csv.dvc',
      `outs:\n- md5: ${md5sum(csv)}\n  size: ${csv.length}\n  hash: md5\n  path: iris.csv\n`,
    );
    cache(root, md5sum(csv), csv);
    // DVC 2.x: text files are hashed after CRLF -> LF (md5-dos2unix); the object keeps its CRLF bytes, in the 2.x layout.
    write(
      root,
      'notes.txt.dvc',
      `outs:\n- md5: ${md5sum(crlf.replace(/\r\n/g, '\n'))}\n  size: ${crlf.length}\n  path: notes.txt\n`,
    );
    cache(root, md5sum(crlf.replace(/\r\n/g, '\n')), crlf, '2');
    // A corrupt cache object: the .dvc file names the md5 of "good", the cache holds other bytes.
    write(root, 'corrupt.bin.dvc', `outs:\n- md5: ${md5sum('good')}\n  hash: md5\n  path: corrupt.bin\n`);
    cache(root, md5sum('good'), 'evil');
    // Hostile paths: out of the workspace, into .git.
    write(root, 'escape.dvc', `outs:\n- md5: ${md5sum('foo')}\n  hash: md5\n  path: ../../outside.txt\n`);
    write(
      root,
      'sneaky.dvc',
      `outs:\n- md5: ${md5sum('foo')}\n  hash: md5\n  path: .git/hooks/post-checkout\n`,
    );
    // A .dir manifest whose entry climbs out of its folder.
    const hostile = `[{"md5": "${md5sum('foo')}", "relpath": "../escape"}]`;
    write(root, 'hostile.dvc', `outs:\n- md5: ${md5sum(hostile)}.dir\n  hash: md5\n  path: hostile\n`);
    cache(root, `${md5sum(hostile)}.dir`, hostile);
    await initWorkspace(root);
    before = snapshot(root);
    report = await importDvc({ workspaceRoot: root, log: () => undefined });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const byPath = (path: string) => report.outputs.find((o) => o.path === path)!;

  it('imports a folder output through its .dir manifest: BLAKE3 and DVC md5 side by side, store filled', async () => {
    const images = byPath('images');
    expect(images.status).toBe('imported');
    const pointer = await readPointer(join(root, 'images.cairn'));
    expect(pointer).toMatchObject({
      algorithm: 'blake3',
      md5: folder.md5,
      size: folder.size,
      nfiles: folder.nfiles,
      path: 'images',
    });
    expect(pointer.hash).toMatch(/^[0-9a-f]{64}\.dir$/);
    // The store can now write the folder, byte for byte.
    await checkout(root, ['images']);
    for (const [relpath, content] of Object.entries(folder.tree)) {
      expect(readFileSync(join(root, 'images', relpath), 'utf8')).toBe(content);
    }
    expect((await status(root, ['images']))[0]).toMatchObject({ state: 'clean' });
  });

  it('imports a DVC 2.x folder from the 2.x cache layout', async () => {
    expect(byPath('old/images')).toMatchObject({ status: 'imported' });
    expect(await readPointer(join(root, 'old/images.cairn'))).toMatchObject({
      md5: legacyFolder.md5,
      nfiles: 2,
      size: 6,
    });
    await checkout(root, ['old/images']);
    expect(readFileSync(join(root, 'old/images/bar'), 'utf8')).toBe('bar');
  });

  it('imports files of both layouts, verifying DVC 2.x md5-dos2unix, and makes a dataset project of the CSV', async () => {
    expect(byPath('tables/iris.csv')).toMatchObject({ status: 'imported', dataset: 'tables-iris' });
    expect(JSON.parse(readFileSync(join(root, 'tables/dataset.json'), 'utf8'))).toMatchObject({
      data: 'iris.csv',
      format: 'csv',
    });
    const notes = byPath('notes.txt');
    expect(notes.status).toBe('imported');
    await checkout(root, ['tables/iris.csv', 'notes.txt']);
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe(crlf);
    const pointer = await readPointer(join(root, 'notes.txt.cairn'));
    expect(pointer.hash).toBe(b3sum(join(root, 'notes.txt')));
    expect(pointer.md5).toBe(md5sum(crlf.replace(/\r\n/g, '\n')));
    expect((await readPointer(join(root, 'tables/iris.csv.cairn'))).hash).toBe(
      b3sum(join(root, 'tables/iris.csv')),
    );
  });

  it('refuses a corrupt cache object and hostile paths, importing nothing of them', () => {
    expect(byPath('corrupt.bin')).toMatchObject({ status: 'failed', error: { code: 'DVC_CACHE_CORRUPT' } });
    expect(existsSync(join(root, 'corrupt.bin.cairn'))).toBe(false);
    expect(byPath('../../outside.txt')).toMatchObject({
      status: 'failed',
      error: { code: 'STORE_PATH_OUTSIDE_WORKSPACE' },
    });
    expect(byPath('.git/hooks/post-checkout')).toMatchObject({
      status: 'failed',
      error: { code: 'STORE_PATH_RESERVED' },
    });
    expect(existsSync(join(root, '..', '..', 'outside.txt.cairn'))).toBe(false);
    expect(byPath('hostile')).toMatchObject({ status: 'failed', error: { code: 'HASH_BAD_MANIFEST' } });
    expect(existsSync(join(root, '..', 'escape'))).toBe(false);
  });

  it('reads the real get-started files: missing objects are named, every stage says why it is not a model', () => {
    expect(byPath('data/data.xml')).toMatchObject({
      status: 'failed',
      md5: '22a1a2931c8370d3aeedd7183606fd7f',
      error: { code: 'DVC_CACHE_MISSING' },
    });
    expect(byPath('legacy/owl_sticker.svg')).toMatchObject({
      status: 'failed',
      error: { code: 'DVC_CACHE_MISSING' },
    });
    expect(byPath('data/prepared')).toMatchObject({
      md5: '153aad06d376b6595932470e459ef42a.dir',
      error: { code: 'DVC_CACHE_MISSING' },
    });
    expect(byPath('use-cases/cats-dogs')).toMatchObject({
      status: 'failed',
      md5: '22e3f61e52c0ba45334d973244efc155.dir',
      error: { code: 'DVC_CACHE_MISSING' },
    });
    expect(report.stages.map((s) => s.stage)).toEqual(['prepare', 'featurize', 'train', 'evaluate']);
    const train = report.stages.find((s) => s.stage === 'train')!;
    expect(train.mapped).toBe(false);
    expect(train.params).toMatchObject({ 'train.n_est': 50, 'train.seed': 20170428 });
    expect(train.reasons.join(' ')).toMatch(/no imported dataset/);
    for (const stage of report.stages) expect(stage.reasons.length).toBeGreaterThan(0);
  });

  it('never modifies a DVC file or the DVC cache', () => {
    expect(snapshot(root)).toEqual(before);
    expect(statSync(join(root, 'dvc.lock')).isFile()).toBe(true);
  });

  it('maps a stage whose output is a Cairn model artifact onto a model project', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'cairn-import-dvc-stage-'));
    try {
      const manifestJson = JSON.stringify({
        runtime: 'node',
        entry: 'predict.cjs',
        task: 'binary',
        label: 'label',
        features: [{ name: 'sepal', type: 'number' }],
      });
      const predict =
        'exports.load = async () => ({ predict: (rows) => rows.map(() => ({ label: "a" })) });\n';
      const entries = [
        { md5: md5sum(manifestJson), relpath: 'cairn-model.json' },
        { md5: md5sum(predict), relpath: 'predict.cjs' },
      ];
      const dirText = `[${entries.map((e) => `{"md5": "${e.md5}", "relpath": "${e.relpath}"}`).join(', ')}]`;
      const dirMd5 = `${md5sum(dirText)}.dir`;
      cache(repo, dirMd5, dirText);
      cache(repo, md5sum(manifestJson), manifestJson);
      cache(repo, md5sum(predict), predict);
      cache(repo, md5sum(csv), csv);
      write(repo, 'data/iris.csv.dvc', `outs:\n- md5: ${md5sum(csv)}\n  hash: md5\n  path: iris.csv\n`);
      write(repo, 'params.yaml', 'train:\n  depth: 3\n');
      write(
        repo,
        'dvc.yaml',
        'stages:\n  train:\n    cmd: node train.js data/iris.csv artifact\n    deps:\n    - data/iris.csv\n    params:\n    - train.depth\n    outs:\n    - artifact\n',
      );
      write(
        repo,
        'dvc.lock',
        `schema: '2.0'\nstages:\n  train:\n    cmd: node train.js data/iris.csv artifact\n    deps:\n    - path: data/iris.csv\n      hash: md5\n      md5: ${md5sum(csv)}\n    params:\n      params.yaml:\n        train.depth: 3\n    outs:\n    - path: artifact\n      hash: md5\n      md5: ${dirMd5}\n      nfiles: 2\n`,
      );
      write(repo, 'nx.json', '{}');
      await initWorkspace(repo);
      const result = await importDvc({ workspaceRoot: repo, log: () => undefined });
      expect(result.outputs.map((o) => o.status)).toEqual(['imported', 'imported']);
      expect(result.stages).toEqual([
        expect.objectContaining({
          stage: 'train',
          mapped: true,
          model: 'models/train/model.json',
          reasons: [],
        }),
      ]);
      const model = JSON.parse(readFileSync(join(repo, 'models/train/model.json'), 'utf8'));
      expect(model).toMatchObject({
        datasets: ['data-iris'],
        label: 'label',
        task: 'binary',
        params: { 'train.depth': 3 },
      });
      expect(model.train.command).toBe(
        'cd ../.. && node train.js data/iris.csv artifact && cp -R artifact/. "$CAIRN_OUTPUT_DIR"/',
      );
      // The written projects pass Cairn's own config validation.
      const projects = await discoverProjects(repo);
      expect(resolveTrainable(projects, 'train').config.datasets).toEqual(['data-iris']);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('rejects malformed DVC files naming the file and field, and a folder that is no DVC project', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'cairn-import-dvc-bad-'));
    try {
      write(bad, 'x.dvc', 'outs:\n- path: x\n  md5: NOT-HEX\n');
      await expect(importDvc({ workspaceRoot: bad, log: () => undefined })).rejects.toMatchObject({
        code: 'DVC_FILE_INVALID',
        data: { file: 'x.dvc', field: '/outs/0/md5' },
      });
      write(bad, 'x.dvc', 'outs: [\n');
      await expect(importDvc({ workspaceRoot: bad, log: () => undefined })).rejects.toMatchObject({
        code: 'DVC_FILE_INVALID',
      });
      rmSync(join(bad, 'x.dvc'));
      await expect(importDvc({ workspaceRoot: bad, log: () => undefined })).rejects.toMatchObject({
        code: 'DVC_NOT_A_PROJECT',
      });
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
