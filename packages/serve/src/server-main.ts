#!/usr/bin/env node
// The model server of a packaged image (`cairn model package`): loads one
// artifact only after its content hash matched, then serves /predict,
// /healthz and /metrics. Lean on purpose: it needs @cairn/serve alone, not
// the whole CLI.
//
//   cairn-model-server <artifact-dir> --expect-hash <b3> [--port 8080] [--host 0.0.0.0] [--name model] [--verify-only]
import { parseArgs } from 'node:util';
import { formatError, isCairnError } from '@cairn/errors';
import { loadModel } from './load-model';
import { createModelServer } from './server';
import { verifiedArtifactCopy } from './verified-artifact';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'expect-hash': { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '0.0.0.0' },
      name: { type: 'string' },
      'verify-only': { type: 'boolean', default: false },
    },
  });
  const artifactDir = positionals[0];
  const expectedHash = values['expect-hash'];
  const port = Number(values.port);
  if (!artifactDir || !expectedHash || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      'usage: cairn-model-server <artifact-dir> --expect-hash <b3> [--port N] [--host H] [--name M] [--verify-only]\n',
    );
    process.exit(2);
  }
  if (values['verify-only']) {
    const verified = await verifiedArtifactCopy(artifactDir, expectedHash);
    await verified.dispose();
    process.stdout.write(`ok: ${artifactDir} is ${expectedHash}\n`);
    return;
  }
  const model = await loadModel(artifactDir, { expectedHash });
  const server = createModelServer({
    model,
    modelName: values.name ?? process.env.CAIRN_MODEL_NAME ?? 'model',
    version: process.env.CAIRN_MODEL_VERSION ?? expectedHash.slice(0, 12),
  });
  server.listen(port, values.host, () =>
    process.stdout.write(`serving ${artifactDir} on ${values.host}:${port}\n`),
  );
  const stop = () => server.close(() => void model.close().then(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${formatError(error)}\n`);
  process.exit(isCairnError(error) ? error.exitCode : 70);
});
