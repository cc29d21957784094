import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** A temp folder removed by the returned cleanup. */
export function tempDir(prefix = 'cairn-serve-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const FEATURES = [
  { name: 'x', type: 'number' },
  { name: 'color', type: 'string' },
];

/**
 * The same rule in both runtimes: label "big" when x > threshold (5), else
 * "small"; probabilities [p(big), p(small)].
 */
export function writeNodeModel(dir: string, options: { esm?: boolean } = {}): string {
  const artifact = join(dir, options.esm ? 'node-esm-model' : 'node-model');
  mkdirSync(artifact, { recursive: true });
  writeFileSync(join(artifact, 'params.json'), JSON.stringify({ threshold: 5 }));
  const body = `
async function load(artifactDir) {
  const { threshold } = JSON.parse(require('node:fs').readFileSync(require('node:path').join(artifactDir, 'params.json'), 'utf8'));
  return {
    predict(rows) {
      return rows.map((row) => {
        if (row.color === 'explode') throw new Error('cannot predict explode');
        return row.x > threshold ? { label: 'big', probabilities: [1, 0] } : { label: 'small', probabilities: [0, 1] };
      });
    },
  };
}`;
  const entry = options.esm ? 'predict.mjs' : 'predict.cjs';
  const source = options.esm
    ? `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${body}\nexport { load };\n`
    : `${body}\nmodule.exports = { load };\n`;
  writeFileSync(join(artifact, entry), source);
  writeFileSync(
    join(artifact, 'cairn-model.json'),
    JSON.stringify({
      runtime: 'node',
      entry,
      task: 'binary',
      label: 'size',
      labels: ['big', 'small'],
      features: FEATURES,
    }),
  );
  return artifact;
}

/**
 * A stdlib-only python worker. Extra behaviour for tests: x == -1 answers an
 * error line, x == -999 kills the process, x == -5 sleeps 0.3 s first; every
 * prediction carries the worker's pid.
 */
export function writePythonModel(dir: string): string {
  const artifact = join(dir, 'python-model');
  mkdirSync(artifact, { recursive: true });
  writeFileSync(join(artifact, 'params.json'), JSON.stringify({ threshold: 5 }));
  writeFileSync(
    join(artifact, 'serve.py'),
    `import json, os, sys, time
artifact_dir = sys.argv[1]
with open(os.path.join(artifact_dir, "params.json")) as f:
    threshold = json.load(f)["threshold"]
print("python model ready", file=sys.stderr, flush=True)
for line in sys.stdin:
    request = json.loads(line)
    rows = request["rows"]
    if any(r["x"] == -999 for r in rows):
        os._exit(3)
    if any(r["x"] == -5 for r in rows):
        time.sleep(0.3)
    if any(r["x"] == -1 for r in rows):
        print(json.dumps({"id": request["id"], "error": "x must not be -1"}), flush=True)
        continue
    out = []
    for r in rows:
        big = r["x"] > threshold
        out.append({"label": "big" if big else "small", "probabilities": [1.0, 0.0] if big else [0.0, 1.0], "pid": os.getpid()})
    print(json.dumps({"id": request["id"], "predictions": out}), flush=True)
`,
  );
  writeFileSync(
    join(artifact, 'cairn-model.json'),
    JSON.stringify({
      runtime: 'python',
      entry: 'serve.py',
      task: 'binary',
      label: 'size',
      labels: ['big', 'small'],
      features: FEATURES,
    }),
  );
  return artifact;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for tests: no escapes inside label values). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The one sample with this name and (at least) these labels. */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

export async function listen(server: import('node:http').Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export async function closeServer(server: import('node:http').Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
