import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';

interface CacheServerFlags {
  storage: string;
  host: string;
  port: string;
  tokens?: string;
  auth: boolean;
  cert?: string;
  key?: string;
  maxSize: string;
  s3Endpoint?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw cairnError('OPTION_INVALID', `--port ${value} is not a port number`, {
      data: { option: 'port', value },
      hint: 'use 0-65535 (0 picks a free port)',
    });
  }
  return port;
}

function parseSize(value: string): number {
  const match = /^(\d+)([kmgt]?)i?b?$/i.exec(value.trim());
  if (!match) {
    throw cairnError('OPTION_INVALID', `--max-size ${value} is not a size`, {
      data: { option: 'max-size', value },
      hint: 'e.g. 500MB, 10GiB or a number of bytes',
    });
  }
  const power = ['', 'k', 'm', 'g', 't'].indexOf((match[2] ?? '').toLowerCase());
  return Number(match[1]) * 1024 ** power;
}

/** Stop callbacks of servers started by this process (tests stop them without signals). */
const running = new Set<() => void>();

/** Stops every cache server this process started with `cairn cache-server`. */
export function stopCacheServers(): void {
  for (const stop of [...running]) stop();
}

export function register(program: Command): void {
  program
    .command('cache-server')
    .description('run a self-hosted Nx remote cache and cairn data remote (filesystem or S3 storage)')
    .option('--storage <dir|s3://bucket/prefix>', 'where entries live', '.cairn-cache-server')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '3000')
    .option('--tokens <file>', 'tokens file: one "<read|write|write-only> <token>" per line, # comments')
    .option('--no-auth', 'serve without authentication (anyone who can connect may read and write)')
    .option('--cert <file>', 'TLS certificate (PEM); with --key serves HTTPS')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--max-size <size>', 'largest accepted upload', '10GiB')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (default: AWS_ENDPOINT_URL, then AWS)')
    .addHelpText(
      'after',
      `
Nx clients: NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<url> NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<token>
Data remote: cairn remote add ci <url> --default, then CAIRN_REMOTE_TOKEN=<token> cairn push / pull.
Give pull-request builds a read token and only protected-branch builds a write token (docs/remote-cache.md).
Endpoints: /v1/cache/{hash}, /v1/objects/{id}, POST /v1/objects/missing, /healthz, /metrics.
Logs one JSON line per request on stderr; stops on SIGINT/SIGTERM.`,
    )
    .action(async (flags: CacheServerFlags) => {
      // Every stored entry costs two fsyncs on libuv's pool (default 4 threads): a larger pool lets
      // concurrent uploads sync in parallel (the file system batches them). Read when the pool starts.
      process.env.UV_THREADPOOL_SIZE ??= '16';
      const { openStorage, readTlsFiles, readTokensFile, startCacheServer } =
        await import('@cairn/cache-server');
      if (flags.tokens && !flags.auth) {
        throw cairnError('OPTIONS_CONFLICT', '--tokens and --no-auth contradict each other', {
          data: { options: ['tokens', 'no-auth'] },
          hint: 'pass one of them',
        });
      }
      if (Boolean(flags.cert) !== Boolean(flags.key)) {
        throw cairnError('TLS_FLAGS_INCOMPLETE', 'TLS needs both --cert and --key', {
          hint: 'pass both PEM files, or neither for plain HTTP',
        });
      }
      const server = await startCacheServer({
        storage: openStorage(flags.storage, { endpoint: flags.s3Endpoint }),
        tokens: flags.tokens ? readTokensFile(flags.tokens) : undefined,
        noAuth: !flags.auth,
        host: flags.host,
        port: parsePort(flags.port),
        maxBodyBytes: parseSize(flags.maxSize),
        tls: flags.cert && flags.key ? readTlsFiles(flags.cert, flags.key) : undefined,
      });
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), event: 'listening', url: server.url, storage: flags.storage })}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          running.delete(stop);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        running.add(stop);
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
