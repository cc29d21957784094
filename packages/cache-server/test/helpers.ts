import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '@cairn/remote';
import { S3RVER_CREDENTIALS, startS3 } from '../../../tools/test-support/src/s3';
import { afterAll, beforeAll } from 'vitest';
import {
  FileSystemStorage,
  S3Storage,
  startCacheServer,
  type CacheServerOptions,
  type RunningCacheServer,
  type Storage,
} from '../src';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export const READ_TOKEN = 'read-token-0123456789abcdef';
export const WRITE_TOKEN = 'write-token-0123456789abcdef';
export const WRITE_ONLY_TOKEN = 'write-only-token-0123456789abcdef';
export const TOKENS = [
  { scope: 'read' as const, token: READ_TOKEN },
  { scope: 'write' as const, token: WRITE_TOKEN },
  { scope: 'write-only' as const, token: WRITE_ONLY_TOKEN },
];

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `cairn-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One HTTP request with the raw node client (full control over headers such as Content-Length). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Storage backends every API test runs against: a temp directory, and a bucket on an in-process s3rver. */
export const backends: [string, () => Promise<{ storage: Storage; stop(): Promise<void> }>][] = [
  [
    'filesystem',
    async () => {
      const dir = tempDir('cache-fs');
      return { storage: new FileSystemStorage(dir.path), stop: async () => dir.remove() };
    },
  ],
  [
    's3 (s3rver)',
    async () => {
      const s3 = await startS3('cache');
      const client = createS3Client({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
      return { storage: new S3Storage(client, { bucket: 'cache', prefix: 'team/' }), stop: s3.stop };
    },
  ],
];

type Backend = (typeof backends)[number][1];

/**
 * A cache server on `makeStorage`'s backend for the enclosing describe block:
 * started before its tests, closed (and the backend removed) after them. The
 * returned function gives the running server inside a test.
 */
export function serverForSuite(
  makeStorage: Backend,
  options: Omit<CacheServerOptions, 'storage'> = { tokens: TOKENS, log: () => undefined },
): () => RunningCacheServer {
  let server: RunningCacheServer | undefined;
  let stopBackend: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const backend = await makeStorage();
    stopBackend = backend.stop;
    server = await startCacheServer({ ...options, storage: backend.storage });
  });
  afterAll(async () => {
    await server?.close();
    await stopBackend?.();
  });
  return () => {
    if (!server) throw new Error('the suite server is used before beforeAll started it');
    return server;
  };
}

/** BLAKE3 from the reference `b3sum` binary, an oracle independent of the server's hasher. */
export function b3sum(body: Buffer): string {
  const dir = tempDir('b3');
  try {
    const file = join(dir.path, 'body');
    writeFileSync(file, body);
    return execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim();
  } finally {
    dir.remove();
  }
}
