/**
 * `cairn import-dvc`: reads a DVC 2.x/3.x project (.dvc files, dvc.yaml,
 * dvc.lock, params.yaml) and brings its tracked outputs into Cairn's store
 * straight from DVC's cache, verifying every object against DVC's md5 as it
 * is copied. Each output gets a `<path>.cairn` pointer carrying BLAKE3 (Cairn's
 * identity) and DVC's md5 side by side; tabular files become dataset projects;
 * each dvc.yaml stage is reported as mapped onto the model contract or not,
 * with the reasons. DVC's own files are only read, never written.
 *
 * Everything read is untrusted: YAML size and shape are checked, md5 values
 * must be hex, every output path goes through the store's confinement gate,
 * and `.dir` manifests through the manifest safety check.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, lstatSync, promises as fs } from 'node:fs';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { cairnError, isCairnError, type CairnError } from '@cairn/errors';
import { parseManifest } from '@cairn/hash';
import { assertManifestSafe, confinedTarget, storePath, writePointer } from '@cairn/store';
import { parse as parseYaml } from 'yaml';
import { scratchDir } from './scratch';

const MAX_DVC_FILE_BYTES = 1 << 20;
const MAX_DIR_OBJECT_BYTES = 64 << 20;
const MD5 = /^[0-9a-f]{32}(\.dir)?$/;
const SKIPPED = new Set(['.git', '.dvc', '.cairn', 'node_modules', 'dist', '.nx']);
const TABULAR: Record<string, 'csv' | 'json' | 'jsonl'> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
};

/** One output of a .dvc file or a dvc.lock stage. */
interface DvcOutput {
  /** Workspace-relative POSIX path. */
  path: string;
  md5: string;
  /** DVC 2.x outputs (no `hash: md5`) hash text files after CRLF → LF (md5-dos2unix). */
  legacy: boolean;
  size?: number;
  source: string;
  field: string;
}

export interface DvcOutputReport {
  path: string;
  md5: string;
  source: string;
  status: 'imported' | 'failed';
  /** Cairn pointer file written (workspace-relative). */
  pointer?: string;
  hash?: string;
  dataset?: string;
  notes: string[];
  error?: { code: string; message: string };
}

export interface DvcStageReport {
  stage: string;
  mapped: boolean;
  /** Model project written (workspace-relative model.json) when mapped. */
  model?: string;
  outputs: string[];
  params: Record<string, unknown>;
  reasons: string[];
}

export interface ImportDvcReport {
  outputs: DvcOutputReport[];
  stages: DvcStageReport[];
}

export interface ImportDvcOptions {
  workspaceRoot: string;
  log?: (line: string) => void;
}

function invalid(file: string, field: string, problem: string): CairnError {
  return cairnError('DVC_FILE_INVALID', `${file}: ${field || '(document)'} ${problem}`, {
    data: { file, field },
  });
}

async function readYaml(root: string, file: string): Promise<unknown> {
  const absolute = join(root, file);
  const stat = lstatSync(absolute);
  if (!stat.isFile()) throw invalid(file, '', 'is not a regular file (symlinks are not followed)');
  if (stat.size > MAX_DVC_FILE_BYTES)
    throw invalid(file, '', `is ${stat.size} bytes: at most ${MAX_DVC_FILE_BYTES} are read`);
  try {
    return parseYaml(await fs.readFile(absolute, 'utf8'), { maxAliasCount: 50 });
  } catch (error) {
    throw invalid(file, '', `is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The outs of a .dvc file or a lock stage, checked field by field. */
function parseOuts(outs: unknown, base: string, source: string, field: string): DvcOutput[] {
  if (outs === undefined) return [];
  if (!Array.isArray(outs)) throw invalid(source, field, 'must be a list');
  return outs.flatMap((out: unknown, index): DvcOutput[] => {
    const at = `${field}/${index}`;
    if (!isObject(out)) throw invalid(source, at, 'must be a mapping with path and md5');
    if (typeof out.path !== 'string' || out.path === '')
      throw invalid(source, `${at}/path`, 'must be a non-empty string');
    if (out.md5 === undefined) return [];
    if (typeof out.md5 !== 'string' || !MD5.test(out.md5)) {
      throw invalid(source, `${at}/md5`, 'must be 32 lowercase hex digits, optionally followed by .dir');
    }
    if (out.hash !== undefined && out.hash !== 'md5')
      throw invalid(source, `${at}/hash`, 'must be md5 when present');
    if (out.size !== undefined && !(Number.isInteger(out.size) && (out.size as number) >= 0)) {
      throw invalid(source, `${at}/size`, 'must be an integer >= 0');
    }
    const joined = posix.normalize(posix.join(base, out.path.split(sep).join('/')));
    return [
      {
        path: joined,
        md5: out.md5,
        legacy: out.hash === undefined,
        ...(out.size !== undefined ? { size: out.size as number } : {}),
        source,
        field: `${at}/path`,
      },
    ];
  });
}

async function findDvcFiles(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) out.push(...(await findDvcFiles(root, rel)));
    else if (entry.isFile() && entry.name.endsWith('.dvc')) out.push(rel);
  }
  return out.sort();
}

/** dvc-data's `istextblock`: no NUL and at most 30 % bytes outside printable ASCII and \n\r\t\f\b. */
function isTextBlock(block: Buffer): boolean {
  if (block.length === 0) return true;
  if (block.includes(0)) return false;
  let nonText = 0;
  for (const byte of block) {
    const text =
      (byte >= 32 && byte < 127) || byte === 10 || byte === 13 || byte === 9 || byte === 12 || byte === 8;
    if (!text) nonText++;
  }
  return nonText / block.length <= 0.3;
}

function cacheCandidates(root: string, md5: string, legacy: boolean): string[] {
  const modern = join(root, '.dvc', 'cache', 'files', 'md5', md5.slice(0, 2), md5.slice(2));
  const old = join(root, '.dvc', 'cache', md5.slice(0, 2), md5.slice(2));
  return legacy ? [old, modern] : [modern];
}

function cacheObject(root: string, md5: string, legacy: boolean, out: DvcOutput): string {
  for (const candidate of cacheCandidates(root, md5, legacy)) {
    const stat = lstatSync(candidate, { throwIfNoEntry: false });
    if (!stat) continue;
    if (!stat.isFile()) {
      throw cairnError(
        'DVC_CACHE_CORRUPT',
        `${relative(root, candidate)}: a cache object must be a regular file`,
        {
          data: { file: relative(root, candidate), md5, output: out.path },
        },
      );
    }
    return candidate;
  }
  throw cairnError('DVC_CACHE_MISSING', `${out.path}: object ${md5} is not in .dvc/cache`, {
    data: { output: out.path, md5, source: out.source },
    hint: 'run `dvc fetch` (or `dvc pull`) first, then import again',
  });
}

/** md5 of a stream, as DVC computes it: raw bytes, or CRLF → LF for 2.x text files. */
class Md5Tap extends Transform {
  private readonly raw = createHash('md5');
  private readonly unix = createHash('md5');
  private first: Buffer | undefined;
  private pendingCr = false;
  bytes = 0;
  constructor() {
    super();
  }
  override _transform(
    chunk: Buffer,
    _encoding: string,
    done: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.raw.update(chunk);
    this.bytes += chunk.length;
    if (this.first === undefined || this.first.length < 512) {
      this.first = Buffer.concat([this.first ?? Buffer.alloc(0), chunk]).subarray(0, 512);
    }
    let text = chunk;
    if (this.pendingCr) text = Buffer.concat([Buffer.from('\r'), text]);
    this.pendingCr = text.length > 0 && text[text.length - 1] === 13;
    if (this.pendingCr) text = text.subarray(0, text.length - 1);
    this.unix.update(Buffer.from(text.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'));
    done(null, chunk);
  }
  digest(legacy: boolean): string {
    if (this.pendingCr) this.unix.update('\r');
    const raw = this.raw.digest('hex');
    const unix = this.unix.digest('hex');
    return legacy && isTextBlock(this.first ?? Buffer.alloc(0)) ? unix : raw;
  }
}

async function copyVerified(
  root: string,
  out: DvcOutput,
  md5: string,
  legacy: boolean,
  target: string,
): Promise<number> {
  const source = cacheObject(root, md5, legacy, out);
  const tap = new Md5Tap();
  await fs.mkdir(dirname(target), { recursive: true });
  await streamPipeline(createReadStream(source), tap, createWriteStream(target, { flags: 'wx' }));
  const actual = tap.digest(legacy);
  if (actual !== md5) {
    await fs.rm(target, { force: true });
    throw cairnError(
      'DVC_CACHE_CORRUPT',
      `${relative(root, source)}: content has md5 ${actual}, ${out.source} expects ${md5}`,
      {
        data: { file: relative(root, source), expected: md5, actual, output: out.path },
        hint: 'the DVC cache is damaged: run `dvc fetch --force` (or remove the object and fetch again), then import again',
      },
    );
  }
  return tap.bytes;
}

/** Copies an output (file or `.dir` tree) out of DVC's cache into `target`, verifying every object. */
async function materializeOutput(
  root: string,
  out: DvcOutput,
  target: string,
): Promise<{ files: string[]; bytes: number }> {
  if (!out.md5.endsWith('.dir')) {
    const bytes = await copyVerified(root, out, out.md5, out.legacy, target);
    if (out.size !== undefined && bytes !== out.size) {
      throw cairnError(
        'DVC_CACHE_CORRUPT',
        `${out.path}: the cache object has ${bytes} bytes, ${out.source} says ${out.size}`,
        {
          data: { output: out.path, expected: out.size, actual: bytes },
        },
      );
    }
    return { files: [basename(out.path)], bytes };
  }
  const digest = out.md5.slice(0, 32);
  const manifestFile = cacheObject(root, out.md5, out.legacy, out);
  if (lstatSync(manifestFile).size > MAX_DIR_OBJECT_BYTES) {
    throw cairnError(
      'DVC_CACHE_CORRUPT',
      `${relative(root, manifestFile)}: a .dir object over ${MAX_DIR_OBJECT_BYTES} bytes is refused`,
      {
        data: { file: relative(root, manifestFile), output: out.path },
      },
    );
  }
  const bytes = await fs.readFile(manifestFile);
  const actual = createHash('md5').update(bytes).digest('hex');
  if (actual !== digest) {
    throw cairnError(
      'DVC_CACHE_CORRUPT',
      `${relative(root, manifestFile)}: .dir manifest has md5 ${actual}, ${out.source} expects ${digest}`,
      {
        data: { file: relative(root, manifestFile), expected: digest, actual, output: out.path },
      },
    );
  }
  const entries = parseManifest(bytes, 'md5');
  assertManifestSafe(entries, { file: out.source, field: out.field, manifest: relative(root, manifestFile) });
  let total = 0;
  for (const entry of entries) {
    if (!/^[0-9a-f]{32}$/.test(entry.hash)) {
      throw cairnError(
        'DVC_CACHE_CORRUPT',
        `${relative(root, manifestFile)}: entry ${entry.path} has md5 "${entry.hash}"`,
        {
          data: { file: relative(root, manifestFile), output: out.path },
        },
      );
    }
    total += await copyVerified(root, out, entry.hash, out.legacy, join(target, ...entry.path.split('/')));
  }
  return { files: entries.map((e) => e.path), bytes: total };
}

/** task and label of a cairn-model.json, or undefined when the file is absent or not a usable manifest. */
async function readArtifactManifest(file: string): Promise<{ task: string; label: string } | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined || text.length > MAX_DVC_FILE_BYTES) return undefined;
  try {
    const manifest = JSON.parse(text) as { task?: unknown; label?: unknown };
    const tasks = ['binary', 'multiclass', 'regression'];
    if (
      typeof manifest.task === 'string' &&
      tasks.includes(manifest.task) &&
      typeof manifest.label === 'string' &&
      manifest.label
    ) {
      return { task: manifest.task, label: manifest.label };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function projectName(path: string): string {
  return (
    path
      .replace(/\.[^./]+$/, '')
      .replace(/[^a-zA-Z0-9._-]+/g, '-')
      .replace(/^[^a-zA-Z0-9]+/, '') || 'dataset'
  );
}

interface StageSpec {
  cmd?: unknown;
  deps?: unknown;
  outs?: unknown;
  params?: unknown;
  foreach?: unknown;
  matrix?: unknown;
}

export async function importDvc(options: ImportDvcOptions): Promise<ImportDvcReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const root = options.workspaceRoot;
  const dvcFiles = await findDvcFiles(root);
  const hasYaml = existsSync(join(root, 'dvc.yaml'));
  if (!existsSync(join(root, '.dvc')) && dvcFiles.length === 0 && !hasYaml) {
    throw cairnError('DVC_NOT_A_PROJECT', `${root}: no .dvc/ folder, .dvc file or dvc.yaml here`, {
      data: { root },
      hint: 'run import-dvc at the root of the DVC repository (where .dvc/ is)',
    });
  }
  const outputs: DvcOutput[] = [];
  for (const file of dvcFiles) {
    const doc = await readYaml(root, file);
    if (!isObject(doc)) throw invalid(file, '', 'must be a YAML mapping with outs');
    outputs.push(
      ...parseOuts(doc.outs, posix.dirname(file) === '.' ? '' : posix.dirname(file), file, '/outs'),
    );
  }
  const stages: Record<string, StageSpec> = {};
  const locked: Record<string, { outs: DvcOutput[]; params: Record<string, unknown>; deps: string[] }> = {};
  if (hasYaml) {
    const doc = await readYaml(root, 'dvc.yaml');
    if (!isObject(doc)) throw invalid('dvc.yaml', '', 'must be a YAML mapping');
    if (doc.stages !== undefined && !isObject(doc.stages))
      throw invalid('dvc.yaml', '/stages', 'must be a mapping');
    Object.assign(stages, doc.stages ?? {});
  }
  if (existsSync(join(root, 'dvc.lock'))) {
    const doc = await readYaml(root, 'dvc.lock');
    if (!isObject(doc) || doc.schema !== '2.0' || !isObject(doc.stages)) {
      throw invalid(
        'dvc.lock',
        '/schema',
        "must be a lock file of schema '2.0' (DVC 2.x and 3.x) with stages",
      );
    }
    for (const [name, stage] of Object.entries(doc.stages)) {
      if (!isObject(stage)) throw invalid('dvc.lock', `/stages/${name}`, 'must be a mapping');
      const params: Record<string, unknown> = {};
      if (stage.params !== undefined) {
        if (!isObject(stage.params))
          throw invalid('dvc.lock', `/stages/${name}/params`, 'must be a mapping of files');
        for (const values of Object.values(stage.params)) if (isObject(values)) Object.assign(params, values);
      }
      const deps = Array.isArray(stage.deps)
        ? stage.deps.flatMap((d: unknown) => (isObject(d) && typeof d.path === 'string' ? [d.path] : []))
        : [];
      locked[name] = { outs: parseOuts(stage.outs, '', 'dvc.lock', `/stages/${name}/outs`), params, deps };
      outputs.push(...locked[name]!.outs);
    }
  }

  const reports: DvcOutputReport[] = [];
  /** Imported folders holding a Cairn model artifact (cairn-model.json at their top): what a stage can map onto. */
  const artifacts = new Map<string, { task: string; label: string }>();
  const seen = new Set<string>();
  const scratch = await scratchDir(root, 'import-dvc');
  try {
    for (const [index, out] of outputs.entries()) {
      if (seen.has(out.path)) continue;
      seen.add(out.path);
      const report: DvcOutputReport = {
        path: out.path,
        md5: out.md5,
        source: out.source,
        status: 'imported',
        notes: [],
      };
      reports.push(report);
      try {
        const target = confinedTarget(root, out.path, { file: out.source, field: out.field });
        const staged = join(scratch, String(index), basename(out.path));
        await materializeOutput(root, out, staged);
        let pointerFile = '';
        const pointer = await storePath(root, staged, {
          // Under the store lock: a concurrent gc never finds the imported objects unreferenced.
          reference: async (stored) =>
            (pointerFile = await writePointer(target, { ...stored, md5: out.md5 })),
        });
        if (out.md5.endsWith('.dir')) {
          const manifest = await readArtifactManifest(join(staged, 'cairn-model.json'));
          if (manifest) artifacts.set(out.path, manifest);
        }
        report.pointer = relative(root, pointerFile).split(sep).join('/');
        report.hash = pointer.hash;
        if (!existsSync(target))
          report.notes.push('no working copy here: `cairn checkout` writes it from the store');
        const format = TABULAR[posix.extname(out.path).toLowerCase()];
        const folder = dirname(target);
        if (!format) {
          report.notes.push(
            'not a Cairn dataset project: datasets are CSV, JSON or JSON Lines files (the data is stored and tracked all the same)',
          );
        } else if (existsSync(join(folder, 'dataset.json')) || existsSync(join(folder, 'model.json'))) {
          report.notes.push(
            `no dataset project: ${relative(root, folder) || '.'} already holds a Cairn project`,
          );
        } else {
          const name = projectName(out.path);
          await fs.writeFile(
            join(folder, 'dataset.json'),
            `${JSON.stringify({ name, description: `Imported from DVC (${out.source})`, data: basename(out.path), format }, null, 2)}\n`,
            { flag: 'wx' },
          );
          report.dataset = name;
        }
      } catch (error) {
        if (!isCairnError(error)) throw error;
        report.status = 'failed';
        report.error = { code: error.code, message: error.message };
      }
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }

  const datasetsByPath = new Map(reports.filter((r) => r.dataset).map((r) => [r.path, r.dataset!]));
  const mappedStages: Array<{ report: DvcStageReport; folder: string; model: Record<string, unknown> }> = [];
  const stageReports: DvcStageReport[] = Object.entries(stages).map(([name, spec]) => {
    const lock = locked[name];
    const report: DvcStageReport = {
      stage: name,
      mapped: false,
      outputs: (lock?.outs ?? []).map((o) => o.path),
      params: lock?.params ?? {},
      reasons: [],
    };
    if (!isObject(spec)) {
      report.reasons.push('the stage is not a mapping');
      return report;
    }
    if (spec.foreach !== undefined || spec.matrix !== undefined) {
      report.reasons.push('foreach/matrix stages are not expanded by import-dvc');
      return report;
    }
    if (!lock) report.reasons.push('not in dvc.lock (never run): no outputs to import');
    const datasets = (lock?.deps ?? []).flatMap((d) =>
      datasetsByPath.has(d) ? [datasetsByPath.get(d)!] : [],
    );
    if (datasets.length === 0)
      report.reasons.push('depends on no imported dataset (CSV/JSON/JSON Lines output)');
    const artifactOuts = report.outputs.filter((path) => artifacts.has(path));
    if (artifactOuts.length !== 1) {
      report.reasons.push(
        `its outputs are not one Cairn model artifact: the model contract needs a folder with cairn-model.json (runtime, entry, task, label, features), while \`${String(spec.cmd ?? '')}\` writes ${report.outputs.join(', ') || 'nothing recorded'}`,
      );
    }
    if (report.reasons.length > 0) return report;
    const artifact = artifactOuts[0]!;
    const { task, label } = artifacts.get(artifact)!;
    const folder = posix.join('models', projectName(name));
    if (existsSync(join(root, folder))) {
      report.reasons.push(`${folder} already exists: the model project was not written`);
      return report;
    }
    mappedStages.push({
      report,
      folder,
      model: {
        name: projectName(name),
        description: `Imported from DVC stage ${name} (dvc.yaml)`,
        datasets,
        label,
        task,
        // DVC runs stages from the dvc.yaml folder and the stage writes its own output path; the contract wants the artifact in $CAIRN_OUTPUT_DIR.
        train: { command: `cd ../.. && ${String(spec.cmd)} && cp -R ${artifact}/. "$CAIRN_OUTPUT_DIR"/` },
        ...(Object.keys(report.params).length > 0 ? { params: report.params } : {}),
      },
    });
    return report;
  });
  for (const { report, folder, model } of mappedStages) {
    await fs.mkdir(join(root, folder), { recursive: true });
    await fs.writeFile(join(root, folder, 'model.json'), `${JSON.stringify(model, null, 2)}\n`, {
      flag: 'wx',
    });
    report.mapped = true;
    report.model = `${folder}/model.json`;
  }
  for (const stage of stageReports) {
    log(
      stage.mapped
        ? `cairn: dvc stage ${stage.stage}: model project ${stage.model}`
        : `cairn: dvc stage ${stage.stage}: not mapped to a model (${stage.reasons.join('; ')})`,
    );
  }
  const failed = reports.filter((r) => r.status === 'failed').length;
  log(
    `cairn: imported ${reports.length - failed} of ${reports.length} DVC outputs${failed ? ` (${failed} failed)` : ''}`,
  );
  return { outputs: reports, stages: stageReports };
}
