import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ECHO_CHARS, MAX_JSON_DEPTH } from './errors';
import { loadModel } from './load-model';
import { createModelServer } from './server';
import { closeServer, listen, postJson, tempDir } from '../test/fixtures';

/** A node model whose error message repeats the input, as real models' errors often do. */
function writeEchoingModel(dir: string): string {
  const artifact = join(dir, 'echo-model');
  mkdirSync(artifact, { recursive: true });
  writeFileSync(
    join(artifact, 'predict.cjs'),
    `module.exports = { load: () => ({ predict: (rows) => rows.map((row) => {
      if (row.color !== 'red') throw new Error('unknown color ' + row.color);
      return { label: 'big', probabilities: [1, 0] };
    }) }) };\n`,
  );
  writeFileSync(
    join(artifact, 'cairn-model.json'),
    JSON.stringify({
      runtime: 'node',
      entry: 'predict.cjs',
      task: 'binary',
      label: 'size',
      labels: ['big', 'small'],
      features: [
        { name: 'x', type: 'number' },
        { name: 'color', type: 'string' },
      ],
    }),
  );
  return artifact;
}

const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
/** No run of the marker longer than the echo limit may come back. */
const echoed = (text: string, marker: string) => text.includes(marker.repeat(MAX_ECHO_CHARS + 1));

describe('cairn serve under hostile requests (real HTTP)', () => {
  const tmp = tempDir();
  let url: string;
  let server: ReturnType<typeof createModelServer>;
  beforeAll(async () => {
    server = createModelServer({
      model: await loadModel(writeEchoingModel(tmp.dir)),
      modelName: 'echo',
      version: 'v1',
    });
    url = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
    tmp.cleanup();
  });

  it.each([
    ['a bare nested array', (depth: number) => nested(depth)],
    [
      'nested inside a feature value',
      (depth: number) => `{"rows": [{"x": ${nested(depth)}, "color": "red"}]}`,
    ],
    [
      'nested inside an ignored field',
      (depth: number) => `{"rows": [{"x": 1, "color": "red", "z": ${nested(depth)}}]}`,
    ],
  ])('%s, 5,000 and 200,000 levels deep, is a 400 SERVE_JSON_TOO_DEEP', async (_name, body) => {
    for (const depth of [5_000, 200_000]) {
      const reply = await postJson(`${url}/predict`, body(depth));
      expect(reply.status).toBe(400);
      expect(reply.json.error).toMatchObject({ code: 'SERVE_JSON_TOO_DEEP', pointer: '/' });
    }
    expect((await postJson(`${url}/predict`, { x: 1, color: 'red' })).status).toBe(200);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels as far as the depth check goes`, async () => {
    // {"rows": [{"x": …}]} is 3 levels; the value adds the rest.
    const reply = await postJson(`${url}/predict`, `{"rows": [{"x": ${nested(MAX_JSON_DEPTH - 3)}}]}`);
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'SERVE_INVALID_ROW', pointer: '/rows/0/x' });
    expect((reply.json.error as { message: string }).message).toContain('got an array of 1');
  });

  it('repeats at most a short prefix of a bad value', async () => {
    const long = 'A'.repeat(1_000_000);
    const asNumber = await postJson(`${url}/predict`, { x: long, color: 'red' });
    expect(asNumber.status).toBe(400);
    const message = (asNumber.json.error as { message: string }).message;
    expect(message).toContain(`got string "${'A'.repeat(MAX_ECHO_CHARS)}…" (1000000 characters)`);
    expect(echoed(JSON.stringify(asNumber.json), 'A')).toBe(false);

    const wideObject = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const asObject = await postJson(`${url}/predict`, { x: wideObject, color: 'red' });
    expect(asObject.status).toBe(400);
    expect((asObject.json.error as { message: string }).message).toMatch(/got an object$/);
  });

  it('repeats at most a short prefix of malformed JSON', async () => {
    const reply = await postJson(`${url}/predict`, `{"rows": [{"x": ${'B'.repeat(1_000_000)}`);
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'SERVE_INVALID_JSON' });
    expect(echoed(JSON.stringify(reply.json), 'B')).toBe(false);
  });

  it('repeats at most a short prefix of an unknown path', async () => {
    const response = await fetch(`${url}/${'p'.repeat(8_000)}`);
    expect(response.status).toBe(404);
    expect(echoed(await response.text(), 'p')).toBe(false);
  });

  it("clips a model error that quotes the input (the model's 500)", async () => {
    const reply = await postJson(`${url}/predict`, { x: 1, color: 'C'.repeat(1_000_000) });
    expect(reply.status).toBe(500);
    const text = JSON.stringify(reply.json);
    expect(reply.json.error).toMatchObject({ code: 'MODEL_PREDICT_FAILED' });
    expect(text).toContain('unknown color CCC');
    expect(text.length).toBeLessThan(1_000);
  });
});
