import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../../test/run-cli';

let dir: string;
let cert: string;
let key: string;
let otherKey: string;
let busy: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cache-server-cli-'));
  writeFileSync(join(dir, 'a-file'), 'not a folder\n');
  mkdirSync(join(dir, 'cwd'));
  const pair = (name: string) => {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`)].concat([
        '-out',
        join(dir, `${name}.pem`),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ]),
      { stdio: 'pipe' },
    );
  };
  pair('one');
  pair('two');
  cert = join(dir, 'one.pem');
  key = join(dir, 'one.key');
  otherKey = join(dir, 'two.key');
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('cairn cache-server start-up failures', () => {
  const storage = () => join(dir, 'store');
  const cases: [string, string, () => string[]][] = [
    ['storage path is a file', 'STORAGE_PATH_NOT_FOLDER', () => ['--storage', join(dir, 'a-file')]],
    ['storage path under a file', 'STORAGE_PATH_NOT_FOLDER', () => ['--storage', join(dir, 'a-file', 'sub')]],
    // Node's recursive mkdir spun forever here (mkdir(2) says ENOENT under an existing /proc).
    [
      'storage path cannot be created (/proc)',
      'STORAGE_PATH_UNUSABLE',
      () => ['--storage', '/proc/cairn/store'],
    ],
    ['storage path is empty', 'STORAGE_PATH_EMPTY', () => ['--storage', '']],
    [
      'port in use',
      'LISTEN_PORT_IN_USE',
      () => ['--storage', storage(), '--port', String((busy.address() as { port: number }).port)],
    ],
    // TEST-NET-1 (RFC 5737) is never an address of this machine.
    [
      'address not available',
      'LISTEN_ADDRESS_UNAVAILABLE',
      () => ['--storage', storage(), '--host', '192.0.2.1'],
    ],
    // .invalid never resolves (RFC 2606).
    ['unknown host', 'LISTEN_HOST_UNKNOWN', () => ['--storage', storage(), '--host', 'cairn.invalid']],
    ['unreadable cert', 'TLS_FILE_UNREADABLE', () => ['--cert', join(dir, 'missing.pem'), '--key', key]],
    ['cert is a folder', 'TLS_FILE_UNREADABLE', () => ['--cert', dir, '--key', key]],
    ['non-PEM cert', 'TLS_FILE_INVALID', () => ['--cert', join(dir, 'a-file'), '--key', key]],
    ['non-PEM key', 'TLS_FILE_INVALID', () => ['--cert', cert, '--key', join(dir, 'a-file')]],
    ['key of another certificate', 'TLS_KEY_MISMATCH', () => ['--cert', cert, '--key', otherKey]],
  ];

  it.each(cases)(
    '%s: exits 2 by itself with %s and no stack trace',
    async (_name, code, args) => {
      const flags = args();
      const all = flags.includes('--storage') ? flags : ['--storage', storage(), ...flags];
      const result = await runCliProcess(['cache-server', '--no-auth', '--port', '0', ...all], {
        cwd: join(dir, 'cwd'),
      });
      expect(result.stderr).toContain(`error[${code}]`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(2);
    },
    60_000,
  );

  it('writes nothing into the current folder for --storage ""', async () => {
    await runCliProcess(['cache-server', '--no-auth', '--port', '0', '--storage', ''], {
      cwd: join(dir, 'cwd'),
    });
    expect(readdirSync(join(dir, 'cwd'))).toEqual([]);
  }, 60_000);
});
