import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemStorage, startCacheServer } from '../src';
import { READ_TOKEN, tempDir, TOKENS, WRITE_TOKEN } from './helpers';

function httpsSend(
  url: string,
  ca: Buffer,
  method: string,
  token: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('TLS', () => {
  it('serves HTTPS with the given certificate and key', async () => {
    const dir = tempDir('cache-tls');
    const key = join(dir.path, 'key.pem');
    const cert = join(dir.path, 'cert.pem');
    // A real certificate for 127.0.0.1 made by openssl; the client trusts exactly it.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    const server = await startCacheServer({
      storage: new FileSystemStorage(join(dir.path, 'store')),
      tokens: TOKENS,
      tls: { cert: readFileSync(cert), key: readFileSync(key) },
      log: () => undefined,
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(cert);
      expect(
        (await httpsSend(`${server.url}/v1/cache/77`, ca, 'PUT', WRITE_TOKEN, 'secret output')).status,
      ).toBe(200);
      expect(await httpsSend(`${server.url}/v1/cache/77`, ca, 'GET', READ_TOKEN)).toEqual({
        status: 200,
        body: 'secret output',
      });
      // A client that does not trust the certificate cannot talk to it.
      await expect(httpsSend(`${server.url}/healthz`, Buffer.from(''), 'GET', READ_TOKEN)).rejects.toThrow();
    } finally {
      await server.close();
      dir.remove();
    }
  });
});
