import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashDirectory } from '@cairn/hash';
import { loadModel } from './load-model';
import { PYTHON, tempDir } from '../test/fixtures';

const tmp = tempDir();
let artifact: string;
let trustedHash: string;
const marker = () => join(tmp.dir, 'unpickled-attacker-code');

/** A real scikit-learn model, pickled, served by an entry that unpickles it: what the python runtime runs. */
function writeSklearnArtifact(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync(PYTHON, [
    '-c',
    `import pickle, sys
from sklearn.linear_model import LogisticRegression
model = LogisticRegression().fit([[0.0], [1.0], [9.0], [10.0]], ["small", "small", "big", "big"])
pickle.dump(model, open(sys.argv[1], "wb"))`,
    join(dir, 'model.pkl'),
  ]);
  writeFileSync(
    join(dir, 'serve.py'),
    `import json, os, pickle, sys
model = pickle.load(open(os.path.join(sys.argv[1], "model.pkl"), "rb"))
for line in sys.stdin:
    request = json.loads(line)
    labels = model.predict([[r["x"]] for r in request["rows"]])
    print(json.dumps({"id": request["id"], "predictions": [{"label": str(l)} for l in labels]}), flush=True)
`,
  );
  writeFileSync(
    join(dir, 'cairn-model.json'),
    JSON.stringify({
      runtime: 'python',
      entry: 'serve.py',
      task: 'binary',
      label: 'size',
      labels: ['big', 'small'],
      features: [{ name: 'x', type: 'number' }],
    }),
  );
}

/** Replaces model.pkl with a pickle that runs code when loaded (it creates the marker file). */
function plantMaliciousPickle(dir: string): void {
  execFileSync(PYTHON, [
    '-c',
    `import pickle, sys
class Attack:
    def __reduce__(self):
        return (open, (sys.argv[2], "w"))
pickle.dump(Attack(), open(sys.argv[1], "wb"))`,
    join(dir, 'model.pkl'),
    marker(),
  ]);
}

beforeAll(async () => {
  artifact = join(tmp.dir, 'artifact');
  writeSklearnArtifact(artifact);
  trustedHash = (await hashDirectory(artifact)).hash;
});
afterAll(() => tmp.cleanup());

describe('loading only verified artifacts', () => {
  it('serves a pickled scikit-learn model from a private copy whose hash matched', async () => {
    const model = await loadModel(artifact, { python: PYTHON, expectedHash: trustedHash, log: () => {} });
    try {
      expect(model.artifactDir).not.toBe(artifact);
      expect((await model.predict([{ x: 0.5 }, { x: 9.5 }])).map((p) => p.label)).toEqual(['small', 'big']);
      // Changing the source afterwards cannot reach what the worker reads.
      plantMaliciousPickle(artifact);
      expect(existsSync(marker())).toBe(false);
    } finally {
      await model.close();
    }
    expect(existsSync(model.artifactDir)).toBe(false);
  });

  it('never starts the worker on a tampered pickle; loading it unverified would have run its code', async () => {
    plantMaliciousPickle(artifact);
    await expect(loadModel(artifact, { python: PYTHON, expectedHash: trustedHash })).rejects.toMatchObject({
      code: 'SERVE_ARTIFACT_UNVERIFIED',
      data: { expected: trustedHash },
    });
    expect(existsSync(marker())).toBe(false);
    // The control: the same bytes loaded without a hash do run the attacker's code.
    const unverified = await loadModel(artifact, { python: PYTHON, log: () => {} });
    await unverified.predict([{ x: 1 }]).catch(() => undefined);
    await unverified.close();
    expect(existsSync(marker())).toBe(true);
  });

  it('refuses a symlink inside the artifact', async () => {
    const linked = join(tmp.dir, 'linked');
    writeSklearnArtifact(linked);
    symlinkSync('/etc/hostname', join(linked, 'extra'));
    await expect(loadModel(linked, { python: PYTHON, expectedHash: trustedHash })).rejects.toMatchObject({
      code: 'SERVE_ARTIFACT_UNVERIFIED',
      data: { file: 'extra' },
    });
  });
});
